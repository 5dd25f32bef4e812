"""Tiny scenes for testing the build pipeline quickly (about a second of video each)."""

from __future__ import annotations

from manim import FadeIn, Square

from scenes.common import ConvScene, label


class Tiny(ConvScene):
    """A square and a caption: the smallest real render."""

    title_text = "Tiny"
    bias = None

    def construct(self):
        self.cue(f"A square (bias {self.bias}).")
        self.play(FadeIn(Square(color=self.theme.input)), run_time=0.5)
        self.cue("The end.")
        self.add(label("done", self.theme.text))
        self.wait(0.5)


class Exploding(ConvScene):
    """Fails after its first animation, as a scene with a bug would."""

    def construct(self):
        self.play(FadeIn(Square()), run_time=0.5)
        raise RuntimeError("boom")
