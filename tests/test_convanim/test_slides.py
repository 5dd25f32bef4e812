"""Slide decks (``convanim build --slides``): beats → slides, clips, PPTX, HTML, the cache.

The decks are read back with python-pptx and PyAV, converted by LibreOffice when it is
installed, and the HTML deck is driven in headless Chromium over the DevTools protocol
(real key presses, on a pipe: no extra dependency).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
import zipfile

import av
import pytest
from click.testing import CliRunner
from manim import RIGHT, FadeIn, FadeOut, Square

from convanim import registry
from convanim.cli import main
from convanim.lecture import LectureError, load_lecture
from convanim.slides import (
    MIN_SLIDE,
    SlidesUnavailable,
    deck_hash,
    merge_beats,
    notes_for,
    plan_decks,
    slides_of,
)
from scenes.kit.params import BIAS, SceneSpec
from scenes.kit.scene import ConvScene, beat

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOFFICE = shutil.which("soffice")
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"


def no_trace(values):
    return values.bias


STEPPED = SceneSpec("stepped", "test_slides", "Stepped", "Three beats.", no_trace, (BIAS,))


class Stepped(ConvScene):
    """Three beats of one second, a caption at the start of each."""

    spec = STEPPED
    title_text = "Stepped"

    def construct(self):
        self.square = Square(color=self.theme.input)
        self.appear()
        self.move()
        self.fade()

    @beat
    def appear(self):
        self.cue("A square appears.")
        self.play(FadeIn(self.square), run_time=1)

    @beat
    def move(self):
        self.cue(f"It moves (bias {self.values.bias}).")
        self.play(self.square.animate.shift(2 * RIGHT), run_time=1)

    @beat
    def fade(self):
        self.cue("It fades.")
        self.play(FadeOut(self.square), run_time=1)


@pytest.fixture
def stepped(monkeypatch):
    monkeypatch.setattr(registry, "SCENES", {**registry.SCENES, "stepped": STEPPED})


def build(*args):
    return CliRunner().invoke(main, ["build", "-q", "low", "-j", "1", *args])


def record(folder, name):
    return json.loads((folder / f"{name}.json").read_text())


# -- beats → slides (no render) ----------------------------------------------------------


def beats(*pairs):
    return [(float(s), n) for s, n in pairs]


@pytest.mark.parametrize(
    ("given", "duration", "expected"),
    [
        ([], 4.0, [(0, 4, "video")]),
        (beats((0, "a"), (1, "b"), (3, "c")), 5.0, [(0, 1, "a"), (1, 3, "b"), (3, 5, "c")]),
        # a sweep: two slow positions stay slides, the six fast ones become one
        (
            beats((0, "grids"), *((2 + 6 * k, "pos") for k in range(2)))
            + beats(*((14 + 1.5 * k, "pos") for k in range(6)), (23, "end")),
            26.0,
            [(0, 2, "grids"), (2, 8, "pos"), (8, 14, "pos"), (14, 23, "pos ×6"), (23, 26, "end")],
        ),
        # checkerboard: a 2 s slow scatter, fifteen 1 s ones
        (
            beats((0, "scatter"), *((2 + k, "scatter") for k in range(15))),
            17.0,
            [(0, 2, "scatter"), (2, 17, "scatter ×15")],
        ),
        # long repeats are never quick (training's fast epochs last 13.5 s)
        (
            beats((0, "epoch"), (31, "epoch"), (44.5, "epoch")),
            58.0,
            [(0, 31, "epoch"), (31, 44.5, "epoch"), (44.5, 58, "epoch")],
        ),
        # under half a second joins the next; the last joins the one before; start at 0
        (
            beats((0.5, "a"), (2, "b"), (2.4, "c"), (4, "d"), (6.2, "e")),
            6.5,
            [(0, 2, "a"), (2, 4, "c"), (4, 6.5, "d")],
        ),
        # manim's clock: 0.4999999 s is half a second; a title's 0.8 s stays a slide
        (beats((0, "a"), (0.4999999, "b")), 2.0, [(0, 0.4999999, "a"), (0.4999999, 2, "b")]),
        (beats((0, "title"), (0.8, "b")), 3.0, [(0, 0.8, "title"), (0.8, 3, "b")]),
        (beats((0, "a")), 0.3, [(0, 0.3, "a")]),
    ],
)
def test_merge_beats(given, duration, expected):
    merged = merge_beats(given, duration)
    assert [(pytest.approx(s), pytest.approx(e), n) for s, e, n in expected] == merged
    assert merged[0][0] == 0 and merged[-1][1] == duration
    assert all(a[1] == b[0] for a, b in itertools.pairwise(merged))  # no gaps
    if duration >= MIN_SLIDE:
        assert all(e - s >= MIN_SLIDE - 1e-3 for s, e, _ in merged)


def test_notes_are_the_captions_shown_during_the_slide():
    cues = [(0.0, "one"), (2.0, "two"), (2.0, "dropped: lasts no time"), (5.0, "three")]
    assert notes_for(cues, 0, 2, 8) == ("one",)
    assert notes_for(cues, 3, 4, 8) == ("dropped: lasts no time",)  # still on screen at 3
    assert notes_for(cues, 4, 8, 8) == ("dropped: lasts no time", "three")
    assert notes_for([], 0, 1, 1) == ()


def test_a_slide_without_captions_takes_those_its_beat_announced_at_its_end():
    cues = [(0.8, "the title"), (3.0, "next")]
    assert notes_for(cues, 0, 0.8, 5) == ("the title",)  # the title slide
    assert notes_for(cues, 0.8, 3, 5) == ("the title",)  # still on screen here
    assert notes_for(cues, 0, 0.5, 5) == ()  # nothing shown, nothing announced at 0.5


def test_slides_of_a_record_carry_video_times_and_notes():
    rec = {
        "name": "v",
        "format": "webm",
        "files": {"webm": "v.webm"},
        "duration": 3.0,
        "beats": [{"start": 0.0, "name": "a"}, {"start": 1.5, "name": "b"}],
        "cues": [{"start": 0.0, "text": "A"}, {"start": 1.5, "text": "B"}],
    }
    slides = slides_of(rec)
    assert [(s.file, s.start, s.end, s.beat, s.notes) for s in slides] == [
        ("v.webm", 0.0, 1.5, "a", ("A",)),
        ("v.webm", 1.5, 3.0, "b", ("B",)),
    ]


def test_deck_hash_follows_the_videos_and_the_name():
    a, b = {"name": "a", "hash": "1"}, {"name": "b", "hash": "2"}
    assert deck_hash("d", [a, b]) == deck_hash("d", [dict(a), dict(b)])
    changed = {deck_hash("d", [b, a]), deck_hash("e", [a, b]), deck_hash("d", [a])}
    assert deck_hash("d", [a, b]) not in changed and len(changed) == 3


def test_slides_without_python_pptx_is_one_line_exit_2(stepped, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)  # `import pptx` now raises ImportError
    with pytest.raises(SlidesUnavailable):
        plan_decks(True, None, [])
    out = tmp_path / "media"
    result = build("stepped", "--slides", "-o", str(out))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "convanim: error: --slides needs python-pptx: pip install 'convanim[slides]'"
    ]
    assert not out.exists()  # nothing rendered


def test_lecture_slides_key(stepped, tmp_path):
    path = tmp_path / "week-1.toml"
    path.write_text('slides = true\n[[video]]\nscene = "stepped"\n')
    assert plan_decks(False, path, load_lecture(path)).lecture == "week-1"
    path.write_text('[[video]]\nscene = "stepped"\n')
    assert plan_decks(False, path, load_lecture(path)) is None
    assert plan_decks(True, path, load_lecture(path)).lecture == "week-1"
    path.write_text('slides = "yes"\n[[video]]\nscene = "stepped"\n')
    with pytest.raises(LectureError, match="must be true or false"):
        load_lecture(path)


# -- a real build (the scene renders in about half a second) -------------------------------


def pptx_slides(path):
    """Per slide: (the clip's frames as key-frame flags, its timing XML, its notes, poster)."""
    from pptx import Presentation

    deck = Presentation(str(path))
    found = []
    for page in deck.slides:
        movies = [s for s in page.shapes if s.shape_type == 16]  # MSO_SHAPE_TYPE.MEDIA
        assert len(movies) == 1
        movie = movies[0]
        clip = next(
            rel.target_part.blob
            for rel in page.part.rels.values()
            if rel.reltype.endswith("/media") and rel.target_part.content_type == "video/mp4"
        )
        with av.open(io.BytesIO(clip)) as container:
            keys = [f.key_frame for f in container.decode(video=0)]
        timing = page.element.find(f"{P}timing")
        notes = page.notes_slide.notes_text_frame.text if page.has_notes_slide else ""
        poster = movie._element.xpath(".//a:blip/@r:embed")
        found.append((keys, timing, notes, movie.shape_id, poster))
    return deck, found


def autoplays(timing, spid: int) -> bool:
    """The slide's main sequence plays the movie ``spid`` as the slide begins, and holds."""
    effects = [c for c in timing.iter(f"{P}cTn") if c.get("presetClass") == "mediacall"]
    cmd = effects[0].find(f".//{P}cmd")
    targets = {t.get("spid") for t in timing.iter(f"{P}spTgt")}
    return (
        len(effects) == 1
        and effects[0].get("nodeType") == "afterEffect"
        and effects[0].get("fill") == "hold"
        and cmd.get("cmd") == "playFrom(0.0)"
        and targets == {str(spid)}
        and timing.find(f".//{P}video/{P}cMediaNode") is not None
    )


@pytest.mark.render
def test_build_with_slides_writes_both_decks(stepped, tmp_path):
    result = build("stepped", "--bias", "2", "--slides", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "stepped: slides written (3 slides)" in result.stderr
    rec = record(tmp_path, "stepped")
    assert [b["name"] for b in rec["beats"]] == ["appear", "move", "fade"]
    assert [b["start"] for b in rec["beats"]] == [0.0, 1.0, 2.0]  # rounded to the microsecond
    assert [c["text"] for c in rec["cues"]] == [
        "A square appears.",
        "It moves (bias 2.0).",
        "It fades.",
    ]
    deck, found = pptx_slides(tmp_path / "stepped.pptx")
    assert len(deck.slides) == len(slides_of(rec)) == len(rec["beats"]) == 3
    with av.open(str(tmp_path / "stepped.mp4")) as video:
        total = sum(1 for _ in video.decode(video=0))
    assert total == 45  # 3 s at 15 fps
    for (keys, timing, notes, spid, poster), cue in zip(found, rec["cues"], strict=True):
        assert len(keys) == 15 and keys[0]  # exactly the beat's frames, from a keyframe
        assert autoplays(timing, spid)
        assert notes == cue["text"] and poster
    assert sum(len(f[0]) for f in found) == total
    page = (tmp_path / "stepped.slides.html").read_text()
    assert '<video src="stepped.mp4"' in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page) and "@import" not in page
    data = json.loads(re.search(r'id="deck">(.*?)</script>', page, re.S).group(1))
    assert [(s["start"], s["end"]) for s in data["slides"]] == [
        (0, 1),
        (1, 2),
        (2, pytest.approx(3)),
    ]
    deck_rec = json.loads((tmp_path / "stepped.slides.json").read_text())
    assert deck_rec["videos"] == [{"name": "stepped", "hash": rec["hash"]}]
    index = (tmp_path / "index.html").read_text()
    assert 'href="stepped.pptx"' in index and 'href="stepped.slides.html"' in index


@pytest.mark.render
def test_decks_follow_the_cache(stepped, tmp_path):
    out = str(tmp_path)
    assert build("stepped", "-o", out).exit_code == 0
    assert not (tmp_path / "stepped.pptx").exists()
    video = tmp_path / "stepped.mp4"
    rendered = video.stat().st_mtime_ns
    added = build("stepped", "--slides", "-o", out)  # an up-to-date video: only the deck
    assert "stepped: up to date" in added.stderr and "slides written" in added.stderr
    assert video.stat().st_mtime_ns == rendered
    pptx = tmp_path / "stepped.pptx"
    written = pptx.stat().st_mtime_ns
    again = build("stepped", "--slides", "-o", out)
    assert "slides up to date" in again.stderr and pptx.stat().st_mtime_ns == written
    (tmp_path / "stepped.slides.html").unlink()  # a deck with a file missing is rewritten
    assert "slides written" in build("stepped", "--slides", "-o", out).stderr
    assert video.stat().st_mtime_ns == rendered
    # a new video without --slides: its old deck is no longer linked, then rewritten
    assert "stepped: rendered" in build("stepped", "--bias", "1", "-o", out).stderr
    assert "stepped.pptx" not in (tmp_path / "index.html").read_text()
    assert "slides written" in build("stepped", "--bias", "1", "--slides", "-o", out).stderr
    assert "stepped.pptx" in (tmp_path / "index.html").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".stepped")]  # no leftovers


@pytest.mark.render
def test_a_deck_that_fails_fails_alone_and_leaves_nothing(tiny, stepped, tmp_path):
    result = build("exploding", "stepped", "--slides", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert "exploding: slides not written: a video failed" in result.stderr
    assert "stepped: slides written (3 slides)" in result.stderr
    video = tmp_path / "stepped.mp4"
    video.write_bytes(b"\0" * video.stat().st_size)  # damaged, same size: "up to date"
    for deck in ("stepped.pptx", "stepped.slides.html", "stepped.slides.json"):
        (tmp_path / deck).unlink()
    damaged = build("stepped", "--slides", "-o", str(tmp_path))
    assert damaged.exit_code == 1 and "stepped: slides FAILED" in damaged.stderr
    left = {p.name for p in tmp_path.iterdir()}
    assert not left & {"stepped.pptx", "stepped.slides.html", "stepped.slides.json"}
    assert not [name for name in left if name.startswith(".stepped")]  # no temporary folder


@pytest.mark.render
def test_a_lecture_file_gives_one_deck(stepped, tmp_path):
    lecture = tmp_path / "week-1.toml"
    lecture.write_text(
        'slides = true\n[defaults]\nquality = "low"\n'
        '[[video]]\nscene = "stepped"\noutput = "first"\nbias = 1\n'
        '[[video]]\nscene = "stepped"\noutput = "second"\nbias = 2\n'
    )
    out = tmp_path / "media"
    result = build("--config", str(lecture), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.pptx")) == ["week-1.pptx"]
    deck, found = pptx_slides(out / "week-1.pptx")
    assert len(deck.slides) == 6
    assert [f[2] for f in found][3:5] == ["A square appears.", "It moves (bias 2.0)."]
    page = (out / "week-1.slides.html").read_text()
    assert '<video src="first.mp4"' in page and '<video src="second.mp4"' in page
    index = (out / "index.html").read_text()
    assert 'id="slide-decks"' in index and 'href="week-1.slides.html"' in index


@pytest.mark.render
@pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-impress)"
)
def test_libreoffice_opens_the_deck_with_autoplaying_clips(stepped, tmp_path):
    assert build("stepped", "--slides", "-o", str(tmp_path)).exit_code == 0
    converted = tmp_path / "odp"
    done = subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--convert-to",
            "odp",
            "--outdir",
            str(converted),
            str(tmp_path / "stepped.pptx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with zipfile.ZipFile(converted / "stepped.odp") as odp:
        content = odp.read("content.xml").decode()
    assert len(re.findall(r"<draw:page ", content)) == 3
    assert len(re.findall(r'<draw:plugin xlink:href="[^"]+\.mp4"', content)) == 3
    plays = re.findall(
        r'node-type="after-previous" presentation:preset-class="media-call"', content
    )
    assert len(plays) == 3 and len(re.findall(r'anim:command="play"', content)) == 3
    for text in ("A square appears.", "It moves (bias None).", "It fades."):
        assert text in content  # the speaker notes


# -- the HTML deck in a real browser -------------------------------------------------------


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (its fds 3 and 4)."""

    def __init__(self, profile):
        child_in, self.send = os.pipe()
        self.receive, child_out = os.pipe()
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            ["bash", "-c", f'exec "$0" "$@" 3<&{child_in} 4>&{child_out}', CHROMIUM, *flags],
            pass_fds=(child_in, child_out),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(child_in)
        os.close(child_out)
        self.buffer, self.last, self.session = b"", 0, None
        pages = [t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page"]
        attached = self.call("Target.attachToTarget", targetId=pages[0]["targetId"], flatten=True)
        self.session = attached["sessionId"]

    def call(self, method, **params):
        self.last += 1
        message = {"id": self.last, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self.send, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 30
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.last:
                    assert "error" not in reply, (method, reply["error"])
                    return reply["result"]
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.receive], [], [], left)[0]:
                raise TimeoutError(method)
            chunk = os.read(self.receive, 1 << 16)
            assert chunk, "Chromium closed its pipe"
            self.buffer += chunk

    def state(self) -> dict:
        """The deck's state as its page shows it (``body``'s data attributes)."""
        script = (
            "document.querySelector('#captions span') ? ({...document.body.dataset,"
            " caption: document.querySelector('#captions span').textContent,"
            " captions: document.body.classList.contains('captions'),"
            " fullscreen: !!document.fullscreenElement}) : ({})"  # {} while the page loads
        )
        reply = self.call("Runtime.evaluate", expression=script, returnByValue=True)
        return reply["result"]["value"]

    def press(self, key: str, code: str, keycode: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.call(
                "Input.dispatchKeyEvent",
                type=kind,
                key=key,
                code=code,
                windowsVirtualKeyCode=keycode,
            )

    def held(self, slide: int) -> dict:
        """Wait until slide ``slide`` stopped on its last frame; return the state."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            state = self.state()
            assert "error" not in state, state
            if state.get("slide") == str(slide) and state.get("state") == "held":
                return state
            time.sleep(0.05)
        raise AssertionError(f"slide {slide} was not held: {state}")

    def close(self):
        try:
            self.session = None
            self.call("Browser.close")
        finally:
            self.process.wait(timeout=30)
            os.close(self.send)
            os.close(self.receive)


@pytest.mark.render
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (scripts/setup.sh test)")
def test_html_deck_steps_through_the_beats_in_chromium(stepped, tmp_path):
    assert build("stepped", "--slides", "-o", str(tmp_path)).exit_code == 0
    browser = Chromium(tmp_path / "profile")
    try:
        browser.call("Page.navigate", url=(tmp_path / "stepped.slides.html").as_uri())
        first = browser.held(0)  # the first slide plays on opening, then holds
        assert first["video"] == "stepped.mp4" and first["caption"] == "A square appears."
        assert 0.9 < float(first["time"]) < 1.0 and not first["captions"]  # its last frame
        browser.press("ArrowRight", "ArrowRight", 39)
        second = browser.held(1)
        assert 1.9 < float(second["time"]) < 2.0 and second["caption"] == "It moves (bias None)."
        browser.press(" ", "Space", 32)
        assert 2.9 < float(browser.held(2)["time"]) < 3.0
        browser.press("ArrowRight", "ArrowRight", 39)  # the last slide stays
        assert browser.held(2)["slide"] == "2"
        browser.press("ArrowLeft", "ArrowLeft", 37)
        back = browser.held(1)
        assert 1.9 < float(back["time"]) < 2.0
        browser.press("c", "KeyC", 67)
        assert browser.state()["captions"]
        browser.press("c", "KeyC", 67)
        assert not browser.state()["captions"]
        browser.press("f", "KeyF", 70)
        deadline = time.monotonic() + 5
        while not browser.state()["fullscreen"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert browser.state()["fullscreen"]
    finally:
        browser.close()
