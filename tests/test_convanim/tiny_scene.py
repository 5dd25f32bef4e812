"""Tiny scenes for testing the build pipeline quickly (about a second of video each)."""

from __future__ import annotations

from manim import FadeIn, Square

from scenes.kit.params import BIAS, SceneSpec
from scenes.kit.scene import ConvScene
from scenes.kit.text import label


def nothing_to_trace(values):
    """The tiny scenes draw no convolution: their trace is their bias."""
    return values.bias


TINY = SceneSpec("tiny", "tiny_scene", "Tiny", "A tiny scene.", nothing_to_trace, (BIAS,))
EXPLODING = SceneSpec("exploding", "tiny_scene", "Exploding", "Fails.", lambda values: None)


class Tiny(ConvScene):
    """A square and a caption: the smallest real render."""

    spec = TINY
    title_text = "Tiny"

    def construct(self):
        self.cue(f"A square (bias {self.values.bias}).")
        self.play(FadeIn(Square(color=self.theme.input)), run_time=0.5)
        self.cue("The end.")
        self.add(label("done", self.theme.text))
        self.wait(0.5)


class Exploding(ConvScene):
    """Fails after its first animation, as a scene with a bug would."""

    spec = EXPLODING

    def construct(self):
        self.play(FadeIn(Square()), run_time=0.5)
        raise RuntimeError("boom")
