"""Step-through slide decks: one slide per beat, cut from videos that are already built.

A scene marks its beats with :func:`scenes.kit.scene.beat`; the build records them in
``NAME.json`` with the captions. A deck is made from videos and their records alone, so an
up-to-date video only needs its deck written, never a render:

- :func:`slides_of` turns a record's beats into slides: a run of quick repeats of one beat
  (the fast positions of a sweep) becomes one slide, and a slide under :data:`MIN_SLIDE`
  seconds joins the next; each slide's speaker notes are the captions shown during it.
- ``DECK.pptx``: each slide holds its clip, cut from the video at the slide's frames and
  re-encoded as H.264 (so it starts on a keyframe and holds exactly those frames), set to
  play on entering the slide and to stay on its last frame; its poster is its first frame.
- ``DECK.slides.html``: one page, its script and style inline, that plays the videos beside
  it (by relative path) one slide at a time: space/→ next, ← back, F full screen, C captions.
- ``DECK.slides.json``: the deck's record, written last: the videos (and their hashes) it was
  made from and its files. A deck is up to date while its hash matches (:func:`deck_hash`).

A video's deck is named after the video; a lecture file's one deck after the lecture file.
Files are written into a temporary folder and moved into place, as the build does.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from convanim.build import write_atomically
from convanim.jobs import Job, Result, record_path
from convanim.lecture import lecture_deck
from convanim.render import ENCODER_OPTIONS

MIN_SLIDE = 0.5  #: seconds: a shorter slide joins the next one (titles fade in in 0.8 s)
EPSILON = 1e-3  #: seconds: times closer than this are equal (manim's clock adds up frames)
QUICK = 5.0  #: seconds: a repeat of a beat shorter than this may be "quick" ...
QUICK_SHARE = 0.5  #: ... when it is at most this share of the longest repeat in its run
VIDEO_FORMATS = ("mp4", "webm")
MISSING = "--slides needs python-pptx: pip install 'convanim[slides]'"
SLIDE_WIDTH = 12_192_000  # EMU: 13.333 in, a 16:9 slide
SLIDE_HEIGHT = 6_858_000  # 7.5 in


class SlidesUnavailable(RuntimeError):
    """python-pptx is not installed."""


def require() -> None:
    """Raise :class:`SlidesUnavailable` (one line) unless python-pptx can be imported."""
    try:
        import pptx  # noqa: F401
    except ImportError:
        raise SlidesUnavailable(MISSING) from None


def check_formats(jobs: list[Job]) -> None:
    """Raise ``ValueError`` naming the first job whose format is not a video."""
    for job in jobs:
        if job.format not in VIDEO_FORMATS:
            where = job.origin or job.name
            raise ValueError(
                f"{where}: slide decks need a video (--format mp4 or webm), not {job.format}"
            )


# -- slides from beats -------------------------------------------------------------------


@dataclass(frozen=True)
class Slide:
    """One slide: seconds ``start``–``end`` of video ``file``, the beat it shows, its notes."""

    video: str  #: the video's name
    file: str  #: the video's file, beside the deck
    start: float
    end: float
    beat: str  #: the beat method ("name ×n": n quick repeats)
    notes: tuple[str, ...]


def merge_beats(beats: list[tuple[float, str]], duration: float) -> list[tuple[float, float, str]]:
    """``(start, end, name)`` of each slide from a video's ``(start, name)`` beats.

    A beat lasts until the next one (the last until ``duration``; the first starts at 0).
    In a run of consecutive beats of one method, consecutive *quick* ones (under
    :data:`QUICK` seconds and at most :data:`QUICK_SHARE` of the run's longest) become one
    slide: the slow positions of a sweep stay slides of their own, the fast rest is one.
    Then a slide shorter than :data:`MIN_SLIDE` joins the next (the last joins the one
    before). No beats: one slide, the whole video.
    """
    if not beats:
        return [(0.0, duration, "video")] if duration > 0 else []
    starts = [0.0] + [min(start, duration) for start, _ in beats[1:]]
    ends = [*starts[1:], duration]
    spans = [(s, e, name) for s, e, (_, name) in zip(starts, ends, beats, strict=True)]
    merged: list[tuple[float, float, str]] = []
    for run in _runs(spans):
        longest = max(e - s for s, e, _ in run)
        quick = [e - s < QUICK and e - s <= QUICK_SHARE * longest + EPSILON for s, e, _ in run]
        k = 0
        while k < len(run):
            n = 1
            while quick[k] and k + n < len(run) and quick[k + n]:
                n += 1
            name = run[k][2] if n == 1 else f"{run[k][2]} ×{n}"
            merged.append((run[k][0], run[k + n - 1][1], name))
            k += n
    return _join_short(merged)


def _runs(spans):
    """Consecutive spans grouped by beat name."""
    runs: list[list] = []
    for span in spans:
        if runs and runs[-1][-1][2] == span[2]:
            runs[-1].append(span)
        else:
            runs.append([span])
    return runs


def _join_short(spans):
    out: list[tuple[float, float, str]] = []
    pending = None  # the start of short slides waiting for the next one
    for start, end, name in spans:
        start = start if pending is None else pending
        if end - start < MIN_SLIDE - EPSILON:
            pending = start
            continue
        pending = None
        out.append((start, end, name))
    if pending is not None:
        if out:
            out[-1] = (out[-1][0], spans[-1][1], out[-1][2])
        elif spans[-1][1] > pending:
            out.append((pending, spans[-1][1], spans[-1][2]))
    return out


def notes_for(cues: list[tuple[float, str]], start: float, end: float, duration: float):
    """The captions shown between ``start`` and ``end`` (each lasts until the next one).

    A slide during which no caption shows (a title fading in: scenes announce what they
    drew once it is drawn) gets the captions that start as it ends, so no slide is
    without notes when its beat announced something."""
    ordered = sorted(cues, key=lambda cue: cue[0])
    notes = []
    for k, (cue_start, text) in enumerate(ordered):
        cue_end = ordered[k + 1][0] if k + 1 < len(ordered) else duration
        if min(end, cue_end) - max(start, cue_start) > EPSILON:
            notes.append(text)
    if not notes:
        notes = [text for cue_start, text in ordered if abs(cue_start - end) <= EPSILON]
    return tuple(notes)


def slides_of(record: dict) -> list[Slide]:
    """The slides of one video, from its record (``NAME.json``)."""
    beats = [(b["start"], b["name"]) for b in record.get("beats", [])]
    cues = [(c["start"], c["text"]) for c in record.get("cues", [])]
    duration = record["duration"]
    file = record["files"][record["format"]]
    return [
        Slide(record["name"], file, s, e, name, notes_for(cues, s, e, duration))
        for s, e, name in merge_beats(beats, duration)
    ]


# -- the deck's record and cache ------------------------------------------------------------


def deck_hash(deck: str, records: list[dict]) -> str:
    """Hash of everything a deck is made from: its videos' hashes, its name, this code."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    recipe = [deck, ENCODER_OPTIONS, [(r["name"], r["hash"]) for r in records]]
    digest.update(json.dumps(recipe, sort_keys=True).encode())
    return digest.hexdigest()


def deck_record_path(folder: Path, deck: str) -> Path:
    return folder / f"{deck}.slides.json"


def read_deck(folder: Path, deck: str) -> dict | None:
    """The deck's record if it is whole and all its files are there whole, else ``None``."""
    try:
        record = json.loads(deck_record_path(folder, deck).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not {"hash", "files", "sizes", "videos"} <= record.keys():
        return None
    for kind, name in record["files"].items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != record["sizes"].get(kind):
            return None
    return record


def deck_is_current(folder: Path, deck: str, records: list[dict]) -> bool:
    found = read_deck(folder, deck)
    return found is not None and found["hash"] == deck_hash(deck, records)


def write_deck(folder: Path, deck: str, records: list[dict]) -> dict:
    """Write ``deck``'s PPTX and HTML from the videos of ``records`` (in order), then its
    record. Each file appears whole at its final path or not at all."""
    slides = [slide for record in records for slide in slides_of(record)]
    if not slides:
        raise ValueError(f"{deck}: the videos have no frames to make slides of")
    files = {"pptx": f"{deck}.pptx", "html": f"{deck}.slides.html"}
    with tempfile.TemporaryDirectory(prefix=f".{deck}-slides-", dir=folder) as tmp:
        tmp = Path(tmp)
        clips, rates = [], []
        for record in records:
            mine = [s for s in slides if s.video == record["name"]]
            cut, rate = cut_clips(folder / record["files"][record["format"]], mine, tmp)
            clips += cut
            rates.append(float(rate))
        write_pptx(slides, clips, tmp / files["pptx"])
        page = deck_html(deck, slides, records, rates)
        (tmp / files["html"]).write_text(page, encoding="utf-8")
        sizes = {kind: (tmp / name).stat().st_size for kind, name in files.items()}
        for name in files.values():
            os.replace(tmp / name, folder / name)
    record = {
        "deck": deck,
        "hash": deck_hash(deck, records),
        "videos": [{"name": r["name"], "hash": r["hash"]} for r in records],
        "slides": len(slides),
        "files": files,
        "sizes": sizes,
    }
    write_atomically(deck_record_path(folder, deck), json.dumps(record, indent=2))
    return record


# -- clips ------------------------------------------------------------------------------------


def frame_bounds(slides: list[Slide], rate: Fraction) -> list[int]:
    """The first frame of each slide (manim's clock advances one frame at a time)."""
    return [round(slide.start * rate) for slide in slides]


def cut_clips(
    video: Path, slides: list[Slide], folder: Path
) -> tuple[list[tuple[Path, Path, float]], Fraction]:
    """Cut ``video`` into one H.264 clip per slide; return each clip, its poster (first
    frame, PNG) and its length in seconds, and the video's frame rate. The video is
    decoded once."""
    import av

    clips: list[tuple[Path, Path, float]] = []
    with av.open(str(video)) as source:
        stream = source.streams.video[0]
        rate = stream.average_rate or Fraction(stream.guessed_rate or 15)
        bounds = frame_bounds(slides, rate)
        k, index, out, sink = -1, 0, None, None
        for frame in source.decode(stream):
            while k + 1 < len(slides) and index >= bounds[k + 1]:
                if out is not None:
                    _close_clip(out, sink, clips)
                k += 1
                clip = folder / f"{slides[k].video}-{k:03d}.mp4"
                out, sink = _open_clip(clip, stream, rate), (clip, 0)
                frame.to_image().save(clip.with_suffix(".png"))
            if out is not None:
                _encode(out, frame, sink[1])
                sink = (sink[0], sink[1] + 1)
            index += 1
        if out is not None:
            _close_clip(out, sink, clips)
    if len(clips) != len(slides):
        raise RuntimeError(f"{video.name}: {len(clips)} clips cut for {len(slides)} slides")
    return [(clip, poster, float(count / rate)) for clip, poster, count in clips], rate


def _open_clip(path: Path, source_stream, rate: Fraction):
    import av

    container = av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"})
    stream = container.add_stream("libx264", rate=rate, options=dict(ENCODER_OPTIONS))
    stream.width = source_stream.codec_context.width
    stream.height = source_stream.codec_context.height
    stream.pix_fmt = "yuv420p"
    return container


def _encode(container, frame, number: int) -> None:
    stream = container.streams.video[0]
    out = frame.reformat(format="yuv420p")
    out.pts, out.time_base = number, Fraction(1) / stream.codec_context.framerate
    for packet in stream.encode(out):
        container.mux(packet)


def _close_clip(container, sink, clips) -> None:
    for packet in container.streams.video[0].encode(None):
        container.mux(packet)
    container.close()
    clip, count = sink
    clips.append((clip, clip.with_suffix(".png"), count))


# -- PowerPoint ---------------------------------------------------------------------------

#: PowerPoint's own timing for a video set to "Start: Automatically": the main sequence's
#: first step plays the movie as the slide begins; ``fill="hold"`` keeps its last frame.
AUTOPLAY = """<p:timing xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">
<p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/>
<p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold"
 nodeType="afterEffect"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr><p:cTn id="6" dur="{ms}" fill="hold"/>
<p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cBhvr></p:cmd>
</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>
</p:childTnLst></p:cTn>
<p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
</p:prevCondLst>
<p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
</p:nextCondLst>
</p:seq>
<p:video><p:cMediaNode vol="80000"><p:cTn id="7" fill="hold" display="0">
<p:stCondLst><p:cond delay="indefinite"/></p:stCondLst>
<p:endCondLst><p:cond evt="onStopAudio" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond>
</p:endCondLst></p:cTn><p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cMediaNode></p:video>
</p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>"""


def write_pptx(slides: list[Slide], clips, path: Path) -> None:
    """A 16:9 deck: each slide its clip (filling the slide, autoplaying) and its notes."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor

    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = deck.slide_layouts[6]
    for slide, (clip, poster, seconds) in zip(slides, clips, strict=True):
        page = deck.slides.add_slide(blank)
        page.background.fill.solid()
        page.background.fill.fore_color.rgb = RGBColor(0, 0, 0)
        left, top, width, height = _fit(poster)
        movie = page.shapes.add_movie(
            str(clip), left, top, width, height, str(poster), mime_type="video/mp4"
        )
        movie.name = f"{slide.video}: {slide.beat}"
        set_autoplay(page, movie.shape_id, seconds)
        page.notes_slide.notes_text_frame.text = "\n".join(slide.notes)
    deck.save(str(path))


def _fit(poster: Path) -> tuple[int, int, int, int]:
    """Left, top, width and height (EMU) of a picture of the poster's shape, centred."""
    from PIL import Image

    with Image.open(poster) as image:
        w, h = image.size
    scale = min(SLIDE_WIDTH / w, SLIDE_HEIGHT / h)
    width, height = round(w * scale), round(h * scale)
    return (SLIDE_WIDTH - width) // 2, (SLIDE_HEIGHT - height) // 2, width, height


def set_autoplay(page, spid: int, seconds: float) -> None:
    """Replace the slide's timing (python-pptx's plays on click) with :data:`AUTOPLAY`."""
    from pptx.oxml import parse_xml

    element = page.element
    for old in element.findall(
        "{http://schemas.openxmlformats.org/presentationml/2006/main}timing"
    ):
        element.remove(old)
    timing = parse_xml(AUTOPLAY.format(ms=max(1, round(seconds * 1000)), spid=spid))
    element.insert_element_before(timing, "p:extLst")


# -- HTML -----------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; background: #000; color: #eee; overflow: hidden;
  font-family: system-ui, sans-serif; }}
video {{ position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain;
  display: none; }}
video.shown {{ display: block; }}
#captions {{ position: absolute; left: 5%; right: 5%; bottom: 3.2rem; text-align: center;
  font-size: clamp(.9rem, 2.2vw, 1.8rem); display: none; }}
#captions span {{ background: rgba(0, 0, 0, .72); padding: .15em .5em; border-radius: 4px;
  line-height: 1.5; box-decoration-break: clone; -webkit-box-decoration-break: clone; }}
body.captions #captions {{ display: block; }}
#bar {{ position: absolute; left: 0; right: 0; bottom: 0; padding: .4rem .8rem;
  font-size: .85rem; color: #999; display: flex; justify-content: space-between;
  opacity: .8; }}
:fullscreen #bar {{ opacity: 0; }}
</style>
</head>
<body>
{videos}
<div id="captions"><span></span></div>
<div id="bar"><span id="where"></span>
<span>space/→ next · ← back · F full screen · C captions</span></div>
<script type="application/json" id="deck">{data}</script>
<script>
(function () {{
  "use strict";
  var deck = JSON.parse(document.getElementById("deck").textContent);
  var slides = deck.slides, current = -1, playing = null;
  var videos = Array.prototype.slice.call(document.querySelectorAll("video"));
  var caption = document.querySelector("#captions span");
  var where = document.getElementById("where");

  function video(s) {{ return videos[s.video]; }}
  function frame(s) {{ return 1 / deck.rates[s.video]; }}

  function cueAt(s, t) {{
    var cues = deck.cues[s.video], text = "";
    for (var k = 0; k < cues.length && cues[k][0] <= t + 1e-3; k++) text = cues[k][1];
    return text;
  }}

  function state(name) {{
    var s = slides[current], v = video(s);
    document.body.dataset.slide = current;
    document.body.dataset.video = v.getAttribute("src");
    document.body.dataset.state = name;
    document.body.dataset.time = v.currentTime.toFixed(3);
    caption.textContent = cueAt(s, v.currentTime);
  }}

  function hold() {{  // stop on the slide's last frame
    var s = slides[current], v = video(s);
    v.pause();
    playing = null;
    v.currentTime = Math.max(s.start, s.end - frame(s) / 2);
  }}

  function watch() {{
    if (playing === null) return;
    var s = slides[current], v = video(s);
    if (v.currentTime >= s.end - frame(s) / 2 || v.ended) hold();
    else {{ state("playing"); requestAnimationFrame(watch); }}
  }}

  function go(i) {{
    if (i < 0 || i >= slides.length) return;
    if (current >= 0) video(slides[current]).pause();
    current = i;
    var s = slides[i], v = video(s);
    videos.forEach(function (other) {{ other.classList.toggle("shown", other === v); }});
    where.textContent = (i + 1) + " / " + slides.length + " · " + s.title;
    playing = i;
    var start = function () {{
      v.currentTime = s.start + frame(s) / 4;
      var p = v.play();
      if (p && p.catch) p.catch(function () {{ document.body.dataset.error = "play"; }});
      requestAnimationFrame(watch);
    }};
    if (v.readyState >= 1) start();
    else v.addEventListener("loadedmetadata", start, {{ once: true }});
  }}

  videos.forEach(function (v) {{
    v.addEventListener("seeked", function () {{
      if (playing === null && current >= 0 && video(slides[current]) === v) state("held");
    }});
    v.addEventListener("error", function () {{
      document.body.dataset.error = v.getAttribute("src");
    }});
  }});

  document.addEventListener("keydown", function (e) {{
    var key = e.key;
    if (key === "ArrowRight" || key === " " || key === "PageDown" || key === "Enter") {{
      go(current + 1);
    }}
    else if (key === "ArrowLeft" || key === "PageUp" || key === "Backspace") go(current - 1);
    else if (key === "Home") go(0);
    else if (key === "End") go(slides.length - 1);
    else if (key === "f" || key === "F") {{
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(function () {{}});
    }} else if (key === "c" || key === "C") document.body.classList.toggle("captions");
    else return;
    e.preventDefault();
  }});
  document.addEventListener("click", function () {{ go(current + 1); }});
  go(0);
}})();
</script>
</body>
</html>
"""


def deck_html(deck: str, slides: list[Slide], records: list[dict], rates: list[float]) -> str:
    """The HTML deck: every video once (``<video>`` by relative path, frame ``rates``), the
    slides as data."""
    order = {r["name"]: k for k, r in enumerate(records)}
    data = {
        "slides": [
            {
                "video": order[s.video],
                "start": s.start,
                "end": s.end,
                "title": f"{_title(records[order[s.video]])} · {s.beat}",
            }
            for s in slides
        ],
        "cues": [[[c["start"], c["text"]] for c in r.get("cues", [])] for r in records],
        "rates": rates,
    }
    videos = "\n".join(
        f'<video src="{html.escape(r["files"][r["format"]])}" muted playsinline preload="auto"'
        f' poster="{html.escape(r["files"].get("poster", ""))}"></video>'
        for r in records
    )
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return PAGE.format(
        lang=html.escape(records[0].get("lang", "en")),
        title=html.escape(deck),
        videos=videos,
        data=text,
    )


def _title(record: dict) -> str:
    return record.get("title") or record["name"]


# -- after a build ------------------------------------------------------------------------


@dataclass(frozen=True)
class Decks:
    """The decks a build writes after its videos: each video's, or one for ``lecture``."""

    lecture: str | None = None

    def write(self, folder: Path, jobs: list[Job], results: list[Result], say) -> list[Result]:
        return write_decks(folder, jobs, results, self.lecture, say)


def plan_decks(wanted: bool, lecture_file: Path | None, jobs: list[Job]) -> Decks | None:
    """The decks to write (``None``: none), checked before anything renders: raises
    :class:`SlidesUnavailable` without python-pptx, ``ValueError`` for a format that is not
    a video. A lecture file asks for its deck with ``slides = true``."""
    lecture = None
    if lecture_file is not None:
        lecture, asked = lecture_deck(lecture_file)
        wanted = wanted or asked
    if not wanted:
        return None
    require()
    check_formats(jobs)
    return Decks(lecture)


def write_decks(
    folder: Path, jobs: list[Job], results: list[Result], lecture: str | None, say: Callable
) -> list[Result]:
    """Write the decks of a build that are not up to date: each video's own, or the lecture's
    one deck of all its videos. ``say(line)`` reports each; failures are returned."""
    rendered = {r.name for r in results if r.status != "failed"}
    groups = [(lecture, [j.name for j in jobs])] if lecture else [(j.name, [j.name]) for j in jobs]
    failed = []
    for deck, names in groups:
        label = f"{deck}.pptx, {deck}.slides.html"
        if not set(names) <= rendered:
            say(f"{deck}: slides not written: a video failed")
            failed.append(Result(f"{deck} (slides)", "failed", error="a video failed"))
            continue
        try:
            records = [json.loads(record_path(folder, n).read_text()) for n in names]
            if deck_is_current(folder, deck, records):
                say(f"{deck}: slides up to date {folder / label}")
                continue
            made = write_deck(folder, deck, records)
        except Exception as exc:  # a deck that fails must fail alone
            say(f"{deck}: slides FAILED {type(exc).__name__}: {exc}")
            failed.append(Result(f"{deck} (slides)", "failed", error=str(exc)))
            continue
        say(f"{deck}: slides written ({made['slides']} slides) {folder / label}")
    return failed
