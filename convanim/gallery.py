"""``index.html`` in the output folder: every video with its poster, title, description,
parameters and captions, and links to the slide decks made of it that are up to date.
Plain HTML that works offline from the file system."""

from __future__ import annotations

import html
import json
from pathlib import Path

from convanim import registry
from convanim.build import write_atomically
from convanim.slides import read_deck

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>convanim videos</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
        background: #f6f7f9; color: #1b1b1b; }}
h1 {{ font-weight: 600; }}
.video {{ background: #fff; border-radius: 8px; padding: 1rem 1.25rem; margin: 1.5rem 0;
          box-shadow: 0 1px 3px rgba(0,0,0,.12); }}
video, img.still {{ width: 100%; border-radius: 4px; background: #000; }}
.params {{ font-family: ui-monospace, monospace; font-size: .85rem; color: #5f6368; }}
</style>
</head>
<body>
<h1>convanim videos</h1>
<p>{count} videos. Every number in them was computed by convcore and checked against PyTorch.</p>
{decks}{items}
<script>
// Records, on each element, whether its media and captions loaded (read by the tests).
document.querySelectorAll("video").forEach(function (v) {{
  v.addEventListener("loadedmetadata", function () {{ v.dataset.duration = v.duration; }});
  v.addEventListener("error", function () {{ v.dataset.error = "1"; }});
  Array.prototype.forEach.call(v.querySelectorAll("track"), function (t) {{
    t.addEventListener("load", function () {{ t.dataset.loaded = t.track.cues.length; }});
    t.addEventListener("error", function () {{ t.dataset.error = "1"; }});
    t.track.mode = "hidden";
  }});
}});
</script>
</body>
</html>
"""

ITEM = """<section class="video" id="{id}">
<h2>{title}</h2>
<p>{description}</p>
{media}
<p class="params">{name} · {settings}<br>{params}</p>{slides}
</section>"""

VIDEO = """<video controls preload="metadata" poster="{poster}">
<source src="{src}" type="{mime}">
<track kind="captions" src="{vtt}" srclang="{lang}" label="{lang}" default>
</video>"""

DECKS = """<section class="video" id="slide-decks">
<h2>Slide decks</h2>
<ul>
{rows}
</ul>
</section>
"""

MIME = {"mp4": "video/mp4", "webm": "video/webm"}


def describe_params(params: dict) -> str:
    """Parameters as short text (matrices by shape and values)."""
    parts = []
    for key, value in params.items():
        if isinstance(value, dict) and "shape" in value:
            shape = "×".join(str(d) for d in value["shape"])
            values = " ".join(f"{v:g}" for v in value["values"][:12])
            more = " …" if len(value["values"]) > 12 else ""
            parts.append(f"{key} {shape} [{values}{more}]")
        elif isinstance(value, dict) and "sha256" in value:  # an image file
            parts.append(f"{key} {Path(value['path']).name}")
        else:
            parts.append(f"{key} {value}")
    return "; ".join(parts) or "default parameters (the article's example)"


def deck_links(deck: dict) -> str:
    """Links to a deck's PowerPoint and HTML files."""
    e = html.escape
    return (
        f'<a class="deck" href="{e(deck["files"]["pptx"])}">{e(deck["files"]["pptx"])}</a> · '
        f'<a class="deck" href="{e(deck["files"]["html"])}">{e(deck["files"]["html"])}</a> '
        f"({deck['slides']} slides)"
    )


def current_decks(folder: Path, records: list[dict]) -> list[dict]:
    """The deck records (``DECK.slides.json``) whose videos are these records, unchanged,
    and whose files are all there whole."""
    hashes = {r["name"]: r["hash"] for r in records}
    decks = []
    for path in sorted(folder.glob("*.slides.json")):
        deck = read_deck(folder, path.name.removesuffix(".slides.json"))
        if deck and all(hashes.get(v["name"]) == v["hash"] for v in deck["videos"]):
            decks.append(deck)
    return decks


def decks_section(decks: list[dict]) -> str:
    """The lecture decks (of more than one video), listed before the videos."""
    lectures = [d for d in decks if len(d["videos"]) > 1]
    if not lectures:
        return ""
    e = html.escape
    rows = "\n".join(
        f"<li>{e(d['deck'])}: {deck_links(d)}, {len(d['videos'])} videos</li>" for d in lectures
    )
    return DECKS.format(rows=rows)


def item(record: dict, decks: list[dict] = ()) -> str:
    """The HTML of one video (with links to the ``decks`` that hold it)."""
    e = html.escape
    files, fmt = record["files"], record["format"]
    if fmt in MIME:
        media = VIDEO.format(
            poster=e(files["poster"]),
            src=e(files[fmt]),
            mime=MIME[fmt],
            vtt=e(files["captions"]),
            lang=e(record["lang"]),
        )
    else:
        media = f'<img class="still" src="{e(files[fmt])}" alt="{e(record["title"])}">'
    settings = f"{record['quality']}, {fmt}, {record['theme']} theme, {record['lang']}"
    return ITEM.format(
        id=e(record["name"]),
        title=e(record["title"]),
        description=e(record["description"]),
        media=media,
        name=e(record["name"]),
        settings=e(settings),
        params=e(describe_params(record["params"])),
        slides="".join(
            f'\n<p class="slides">Slides: {deck_links(d)}</p>'
            for d in decks
            if any(v["name"] == record["name"] for v in d["videos"])
        ),
    )


def write_gallery(folder: Path) -> Path:
    """(Re)write ``folder/index.html`` from the records of every video in ``folder``, in
    lecture order (the registry's), then by name."""
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and {"files", "format", "hash"} <= record.keys():
            if all((folder / f).is_file() for f in record["files"].values()):
                records.append(record)
    records.sort(key=lambda r: (registry.order(r.get("scene", "")), r["name"]))
    decks = current_decks(folder, records)
    page = PAGE.format(
        count=len(records),
        decks=decks_section(decks),
        items="\n".join(item(r, decks) for r in records),
    )
    index = folder / "index.html"
    write_atomically(index, page)
    return index
