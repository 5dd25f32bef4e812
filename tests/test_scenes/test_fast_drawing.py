"""``ConvScene.fast_drawing`` draws what manim's own camera and renderer draw.

The same small scene (a translucent grid, numbers, a caption) is rendered without fast
drawing, with it but no fade layers, and with everything, and every frame handed to the
encoder is compared: equal to the byte where paths are replayed, backgrounds reused and
boxes restored; within antialiasing where a glide moves cached paths (Cairo's 1/256-pixel
rounding); close while a fade layer stands in for its members (one picture at the fade's
opacity).
"""

from __future__ import annotations

import av
import numpy as np
import pytest
from manim import BLUE, DOWN, LEFT, RIGHT, UP, Scene, Square, Text, VGroup, tempconfig
from manim.scene.scene_file_writer import SceneFileWriter
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from scenes.kit.anim import Fade, Fly, Glide, Type, fade_out
from scenes.kit.drawing import PathCachingCamera, RepeatingSegmentEncoder
from scenes.kit.scene import ConvScene
from scenes.specs.sliding import SPEC

SETTINGS = {
    "pixel_width": 480,
    "pixel_height": 270,
    "frame_rate": 8,
    "disable_caching": True,
    "verbosity": "ERROR",
    "progress_bar": "none",
}


class Board(ConvScene):
    spec = SPEC

    def construct(self):
        cells = VGroup(
            *(Square(0.8).shift(0.8 * (i % 5) * RIGHT + 0.8 * (i // 5) * DOWN) for i in range(15))
        )
        cells.set_fill(BLUE, opacity=0.3).set_stroke(width=3).move_to(2 * LEFT + UP)
        numbers = VGroup(*(Text(str(i), font_size=24).move_to(c) for i, c in enumerate(cells)))
        caption = Text("out[0, 0] = 1·1 + 2·2 + 3·3 + 6·4 =", font_size=26).to_edge(DOWN)
        self.play(Fade(cells), Fade(numbers), run_time=1)
        self.play(Type(caption), run_time=1)
        self.wait(0.5)
        self.play(Glide(cells, numbers, scale=0.6, shift=2 * RIGHT), run_time=1)
        result = Text("38", font_size=30).next_to(caption, RIGHT)
        self.add(result)
        landed = Text("38", font_size=20).move_to(cells[0])
        self.play(Fly(landed, [landed], [result]), run_time=0.5)
        self.play(*fade_out(cells, numbers, caption), Fade(result, fade_in=False, shift=UP))


WRITE = SceneFileWriter.write_frame


def frames(fast: bool, tmp_path, monkeypatch) -> list[np.ndarray]:
    """Every frame (RGBA) the scene hands to its encoder, repeats included."""
    seen: list[np.ndarray] = []

    def keep(self, pixels, *, repeat=1):
        seen.extend([pixels.copy()] * repeat)
        WRITE(self, pixels, repeat=repeat)

    monkeypatch.setattr(SceneFileWriter, "write_frame", keep)
    scene_class = type("Board", (Board,), {"fast_drawing": fast})
    with tempconfig({**SETTINGS, "media_dir": str(tmp_path / str(fast))}):
        scene_class().render()
    return seen


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Frames without fast drawing, with it but no fade layers, and with everything."""
    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("fast-drawing")
    try:
        mp.setattr(PathCachingCamera, "boxed_from_bytes", 0)  # restore boxes at this size too
        plain = frames(False, tmp / "plain", mp)
        mp.setattr(PathCachingCamera, "fewest_in_layer", 10**9)
        no_layers = frames(True, tmp / "no-layers", mp)
        mp.setattr(PathCachingCamera, "fewest_in_layer", 1)
        layers = frames(True, tmp / "layers", mp)
    finally:
        mp.undo()
    return plain, no_layers, layers


def difference(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.abs(a.astype(int) - b.astype(int)).max())


# frames (8 per second) of each beat of Board: fade in, type, wait, glide, fly, fade out
FADE_IN, GLIDE, FADE_OUT = range(0, 8), range(20, 28), range(32, 40)


def test_fast_drawing_hands_the_encoder_the_same_frames(rendered):
    plain, no_layers, _ = rendered
    assert len(no_layers) == len(plain) == 40
    differences = [difference(a, b) for a, b in zip(plain, no_layers, strict=True)]
    # byte for byte, but while the glide replays cached paths moved by Cairo: antialiasing
    assert {i for i, d in enumerate(differences) if d} <= set(GLIDE)
    assert max(differences) <= 16


def test_fade_layers_differ_only_while_fading(rendered):
    plain, _, layers = rendered
    differences = [difference(a, b) for a, b in zip(plain, layers, strict=True)]
    assert {i for i, d in enumerate(differences) if d} <= {*FADE_IN, *GLIDE, *FADE_OUT}
    # one picture at the fade's opacity: where members overlap (two cells' shared edge),
    # it is a little fainter than members each at that opacity
    assert max(differences) <= 110


def test_a_waits_frame_converted_once_encodes_to_the_same_bytes(tmp_path):
    with tempconfig({**SETTINGS, "media_dir": str(tmp_path)}):
        spec = Scene().session_spec.video_encoder
    pictures = []
    for k in range(3):
        frame = np.zeros((spec.height, spec.width, 4), np.uint8)
        frame[..., 3] = 255
        frame[20 + 10 * k : 90 + 10 * k, 40:200, :3] = (200, 90 + 40 * k, 30)
        pictures.append(frame)
    packets = []
    for encoder_class in (VideoSegmentEncoder, RepeatingSegmentEncoder):
        target = tmp_path / f"{encoder_class.__name__}.mp4"
        encoder = encoder_class(target=target, spec=spec)
        for frame in pictures:
            encoder.write_frame(frame)
            encoder.write_frame(frame, repeat=12)
        encoder.finish()
        with av.open(str(target)) as video:
            packets.append([bytes(p) for p in video.demux(video.streams.video[0])])
    assert len(packets[0]) >= 39 and packets[0] == packets[1]
