"""The note under a scene's grids: sentences that replace each other, each also a caption.

self.note = Note(self)               # in setup()
self.note.say("Each value scales …")  # the old note fades out, the new one in, a cue
self.note.clear(board, run_time=0.6)  # the note fades out with what it explained
"""

from __future__ import annotations

from manim import VGroup

from scenes.kit.anim import Fade, fade_out_shown
from scenes.kit.text import join_lines, note


class Note:
    """The note of ``scene``: :attr:`lines` (a VGroup, empty when none is shown), its top
    edge at ``top``, shrunk to at most ``height``, wrapped at ``columns``."""

    def __init__(self, scene, top: float = -2.5, height: float = 1.4, columns: int = 90):
        self.scene, self.top, self.height, self.columns = scene, top, height, columns
        self.lines = VGroup()

    def say(self, *lines: str, cue: str | None = None, play: bool = True):
        """Replace the note with ``lines`` and start a caption (``cue``, or the lines). With
        ``play`` False, return the animations instead of playing them."""
        old, self.lines = self.lines, note(lines, self.scene.theme.text, columns=self.columns)
        if self.lines.height > self.height:
            self.lines.scale_to_fit_height(self.height)
        self.place(self.lines)
        self.scene.cue(cue or join_lines(lines))
        animations = [*fade_out_shown(self.scene, old), Fade(self.lines)]
        if not play:
            return animations
        self.scene.play(*animations, run_time=0.5)

    def place(self, lines: VGroup) -> VGroup:
        """Put ``lines`` where the note goes (top edge at :attr:`top`, centred); return them."""
        return lines.move_to([0, self.top - lines.height / 2, 0])

    def clear(self, *mobjects, **kwargs) -> None:
        """Fade the note out with what is shown of ``mobjects`` (``kwargs`` as ``play``)."""
        self.scene.play(*fade_out_shown(self.scene, *mobjects, self.lines), **kwargs)
        self.lines = VGroup()
