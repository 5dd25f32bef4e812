"""``@beat`` (scenes.kit.scene): where each step of a video starts, for slide decks.

A beat records ``(start second, method name)`` when it is called; a beat called from inside
another is part of the outer one. Every scene marks its beats; a real scene's beats become
the slides a lecturer steps through (slow positions one by one, the fast rest as one).
"""

from __future__ import annotations

import ast
import inspect

import pytest
from manim import Wait
from scene_utils import dry_run, shared_dry_run

from convanim import registry
from convanim.slides import merge_beats
from scenes.kit.params import SceneSpec
from scenes.kit.scene import ConvScene, beat
from scenes.specs import sliding

SCENE_MODULES = [
    "sliding",
    "flip",
    "im2col",
    "matmul",
    "output_size",
    "receptive_field",
    "multichannel",
    "groups",
    "transposed",
    "pooling",
    "checkerboard",
    "feature_maps",
    "backward",
    "training",
    "learn_kernel",
    "initialization",
    "conv_arithmetic",
]
NESTED = SceneSpec("nested", "test_beats", "Nested", "Beats in beats.", lambda values: None)


class Nested(ConvScene):
    """0–1 s ``intro``; 1–4 s ``outer`` (calling ``inner`` at 2 s); 4–4.5 s ``inner`` alone;
    ``broken`` raises at 4.5 s and is caught; 4.5–5 s ``last``."""

    spec = NESTED

    def construct(self):
        self.intro()
        self.returned = self.outer()
        self.inner()
        with pytest.raises(RuntimeError):
            self.broken()
        self.last()

    @beat
    def intro(self):
        self.play(Wait(1))

    @beat
    def outer(self):
        """The outer beat."""
        self.play(Wait(1))
        self.inner()
        self.play(Wait(1.5))
        return "outer's value"

    @beat
    def inner(self):
        self.play(Wait(0.5))

    @beat
    def broken(self):
        raise RuntimeError("a beat that fails leaves the counting intact")

    @beat
    def last(self):
        self.play(Wait(0.5))


@pytest.fixture(scope="module")
def nested():
    scene, _ = dry_run(Nested, values=NESTED.resolve({}), trace=None)
    return scene


def test_beats_record_their_start_and_name(nested):
    names = [name for _, name in nested.beats]
    assert names == ["intro", "outer", "inner", "broken", "last"]  # not the inner at 2 s
    assert [start for start, _ in nested.beats] == pytest.approx([0, 1, 4, 4.5, 4.5])
    assert nested.time == pytest.approx(5)


def test_a_beat_is_the_method_it_wraps(nested):
    assert nested.returned == "outer's value"
    assert Nested.outer.__name__ == "outer" and Nested.outer.__doc__ == "The outer beat."
    assert nested._beat_depth == 0  # restored after the exception


@pytest.mark.parametrize("module", SCENE_MODULES)
def test_every_scene_marks_its_beats(module):
    """At least three beats, all methods of the scene's beats section, and no helper that
    builds mobjects (after ``# -- beats``, before the next ``# --`` section)."""
    source = inspect.getsource(__import__(f"scenes.{module}", fromlist=["_"]))
    section = source.split("# -- beats")[1].split("\n    # -- ")[0]
    tree = ast.parse(source)
    marked = [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(getattr(d, "id", None) == "beat" for d in node.decorator_list)
    ]
    assert len(marked) >= 3, module
    assert all(f"def {name}(" in section for name in marked), (module, marked)


def test_conv_arithmetic_beats_become_the_slides_a_lecturer_steps_through():
    """padding_strides: 9 positions, the first 2 slow (3.5 s), the other 7 quick (1 s)."""
    scene, _ = shared_dry_run(registry.get("padding_strides"))
    names = [name for _, name in scene.beats]
    assert names == ["show_title", "show_grids", "explain_size", *["visit"] * 9, "conclude"]
    starts = [start for start, _ in scene.beats]
    assert starts[0] == 0 and starts == sorted(starts)
    slides = merge_beats(scene.beats, scene.time)
    assert [name for _, _, name in slides] == [
        "show_title",
        "show_grids",
        "explain_size",
        "visit",
        "visit",
        "visit ×7",
        "conclude",
    ]
    assert slides[5][0] == pytest.approx(starts[5]) and slides[5][1] == pytest.approx(starts[12])


@pytest.mark.slow
def test_sliding_beats_become_the_slides_a_lecturer_steps_through():
    """The article's example: 9 positions, 2 slow, the code shown before the third."""
    scene, _ = shared_dry_run(sliding.SPEC)  # the same dry run as test_sliding.py's
    names = [name for _, name in scene.beats]
    positions = ["compute_position"] * 2 + ["show_code"] + ["compute_position"] * 7
    assert names == ["show_title", "show_grids", "explain_output_size", *positions, "conclude"]
    starts = [start for start, _ in scene.beats]
    assert starts[0] == 0 and starts == sorted(starts)
    slides = [name for _, _, name in merge_beats(scene.beats, scene.time)]
    assert slides == [
        "show_title",
        "show_grids",
        "explain_output_size",
        "compute_position",
        "compute_position",
        "show_code",
        "compute_position",  # the third position, shown with the code, step by step
        "compute_position ×6",  # the fast rest: one slide
        "conclude",
    ]


def test_every_registered_video_has_a_beat_scene():
    for spec in registry.SCENES.values():
        if spec.module.startswith("scenes."):
            cls = spec.load()
            assert any(getattr(getattr(cls, n, None), "__wrapped__", None) for n in dir(cls)), (
                spec.name
            )
