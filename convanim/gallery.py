"""``index.html`` in the output folder: every video with its poster, title, description,
parameters and captions. Plain HTML that works offline from the file system."""

from __future__ import annotations

import html
import json
from pathlib import Path

from convanim import registry
from convanim.build import write_atomically

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
{items}
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
<p class="params">{name} · {settings}<br>{params}</p>
</section>"""

VIDEO = """<video controls preload="metadata" poster="{poster}">
<source src="{src}" type="{mime}">
<track kind="captions" src="{vtt}" srclang="{lang}" label="{lang}" default>
</video>"""

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
        else:
            parts.append(f"{key} {value}")
    return "; ".join(parts) or "default parameters (the article's example)"


def item(record: dict) -> str:
    """The HTML of one video."""
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
    page = PAGE.format(count=len(records), items="\n".join(item(r) for r in records))
    index = folder / "index.html"
    write_atomically(index, page)
    return index
