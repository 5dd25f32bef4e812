"""Receptive field: one output cell traced back through stacked 3×3 layers (3 → 5 → 7).

Layer by layer the chosen cell of the last feature map depends on a growing block of the
input; beside the stack, one big kernel with the same receptive field (5×5, then 7×7)
needs more weights (2·9 = 18 vs 25, 3·9 = 27 vs 49 per channel pair) and has one
non-linearity instead of one per layer. Render:

    manim render -ql scenes/receptive_field.py ReceptiveField
    convanim build receptive-field --quality low
    convanim build receptive-field --layers "3,2,1; 3,1,1" --input-size 9 --channels 32
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from manim import DL, DOWN, LEFT, RIGHT, UL, UP, UR, Arrow, Polygon, Square, Text, VGroup, VMobject

from convcore.receptive import Layer, ReceptiveTrace, StackStage
from scenes.kit.anim import Fade, fade_out
from scenes.kit.fmt import DOT, shape
from scenes.kit.grid import Grid, merged
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, fit_width, glyph_table, label, title_bar
from scenes.specs.receptive_field import SPEC

STACK_Y = 0.97  # centre line of the stack's maps
SINGLE_Y = -2.38  # centre line of the single-kernel row
ROW_H = 2.2  # height available to a row's largest map
TITLE_SIZE = 20  # grid titles (two lines: what, shape)
SIZE_BUFF = 0.1  # between a grid's shape line and its cells
ARROW_W = 0.95
LEFT_X = -6.8
STAGE_Y = 3.05
INTRO = (
    "Receptive field of stacked small kernels: which input cells does one output cell depend on?"
)
#: A stage's heading and caption, each for one layer and for several.
HEADINGS = (
    "{n} layer ({layers}): one cell sees {field} input cells",
    "{n} layers ({layers}): one cell sees {field} input cells",
)
CUES = (
    "{n} layer ({layers}): receptive field {field}, {weights} weights, {relus} ReLU",
    "{n} layers ({layers}): receptive field {field}, {weights} weights, {relus} ReLUs",
)


def layer_text(layer: Layer) -> str:
    """``"3×3"``, with ``s2 p1 d2`` for a stride, padding or dilation other than 1, 0, 1."""
    settings = (("s", layer.stride, 1), ("p", layer.padding, 0), ("d", layer.dilation, 1))
    extra = [f"{key}{value}" for key, value, plain in settings if value != plain]
    return " ".join([shape(layer.kernel, layer.kernel), *extra])


def field_text(t: ReceptiveTrace) -> str:
    """The receptive field's extent, ``"7×7"``."""
    return shape(t.size[-1], t.size[-1])


def stack_weights_text(t: ReceptiveTrace) -> str:
    """``"2·9 = 18"`` for equal layers, ``"9 + 25 = 34"`` otherwise (all trace fields)."""
    w = t.layer_weights.tolist()
    if len(w) == 1:
        return str(w[0])
    terms = f"{len(w)}{DOT}{w[0]}" if len(set(w)) == 1 else " + ".join(map(str, w))
    return f"{terms} = {t.weights_stack}"


def single_weights_text(t: ReceptiveTrace) -> str:
    """``"7·7 = 49"``: the weights of one kernel with the chain's field."""
    k = t.single_layer.kernel
    return f"{k}{DOT}{k} = {t.weights_single}"


def totals_texts(t: ReceptiveTrace) -> dict[str, str]:
    """``"27·64² = 110592"`` for the stack and the single kernel: weights for C channels."""
    c = t.channels
    return {
        "stack": f"{t.weights_stack}{DOT}{c}² = {t.weights_stack_total}",
        "single": f"{t.weights_single}{DOT}{c}² = {t.weights_single_total}",
    }


def relus_text(t: ReceptiveTrace) -> str:
    """``"3 vs 1"``: non-linearities of the stack and of one big kernel."""
    return f"{t.nonlinear_stack} vs {t.nonlinear_single}"


class ReceptiveField(ConvScene):
    """One output cell's receptive field through a stack of layers vs one big kernel.

    ``self.trace`` holds one :class:`convcore.receptive.StackStage` per prefix of the layers.
    """

    spec = SPEC
    title_text = "Receptive field: stacking small kernels"

    def setup(self):
        super().setup()
        self.stages: tuple[StackStage, ...] = self.trace
        self.full, self.texts = self.stages[-1].stack, TextCache()
        self.panels = self.get_panels()

    def construct(self):
        self.show_title()
        for n, stage in enumerate(self.stages, start=1):
            self.show_stage(n, stage)
        self.show_channels()
        self.show_recap()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        th = self.theme
        self.title = title_bar(self.tr(self.title_text), th)
        question = self.tr("one output cell: which input cells does it depend on?")
        self.stage_text = label(question, th.muted, 26).move_to([0, STAGE_Y, 0])
        self.cue(self.tr(INTRO))
        self.grids = self.get_stack_grids()
        self.arrows = [
            self.labelled_arrow(a, b, layer_text(layer), STACK_Y)
            for layer, (a, b) in zip(self.full.layers, pairwise(self.grids), strict=True)
        ]
        self.play(Fade(self.title), Fade(self.stage_text), run_time=0.8)
        self.play(Fade(self.grids[0]), run_time=0.8)
        self.marks, self.info, self.single_row = VGroup(), VGroup(), VGroup()

    @beat
    def show_stage(self, n: int, stage: StackStage):
        t = stage.stack
        self.cue(self.stage_text_for(n, t, CUES))
        heading = self.heading(self.stage_text_for(n, t, HEADINGS))
        old = (self.marks, self.info, self.single_row, self.stage_text)
        self.play(
            *fade_out(*(m for m in old if m in self.mobjects)),
            Fade(self.arrows[n - 1]),
            Fade(self.grids[n]),
            Fade(heading),
            run_time=0.8,
        )
        self.stage_text, self.marks = heading, VGroup()
        self.add(self.marks)
        cells = [self.get_marks(self.grids, t, m) for m in range(n + 1)]
        self.play(Fade(cells[n]), run_time=0.5)
        self.remove(cells[n])
        self.marks.add(cells[n])
        for m in range(n - 1, -1, -1):
            cone, caption = self.get_cone(self.grids, t, m), self.get_region_caption(t, m)
            self.play(Fade(cone), Fade(cells[m]), Fade(caption), run_time=0.9 if n == 1 else 0.7)
            self.remove(cone, cells[m], caption)
            self.marks.add(cone, cells[m], caption)
        self.info = self.panels["stack", n]
        self.play(Fade(self.info), run_time=0.6)
        self.wait(1.2)
        if stage.single is not None:
            self.show_single(n, stage)

    def show_single(self, n: int, stage: StackStage):
        t, s = stage.stack, stage.single
        self.cue(
            self.tr(
                "One {kernel} kernel sees the same {field}: {single} weights (the stack: "
                "{stack}), {relus_single} ReLU (the stack: {relus_stack})",
                kernel=layer_text(s.single_layer),
                field=field_text(s),
                single=s.weights_single,
                stack=t.weights_stack,
                relus_single=s.nonlinear_single,
                relus_stack=t.nonlinear_stack,
            )
        )
        row = self.get_single_row(n, s)
        self.play(Fade(row), run_time=0.8)
        marks = VGroup(self.get_marks(row.grids, s, 1), self.get_marks(row.grids, s, 0))
        marks.add(self.get_cone(row.grids, s, 0))
        info = self.panels["single", n]
        self.play(Fade(marks), run_time=0.8)
        self.play(Fade(info), run_time=0.6)
        self.single_row = VGroup(row, marks, info)
        self.remove(row, marks, info)
        self.add(self.single_row)
        self.wait(2.2)

    @beat
    def show_channels(self):
        """Weights for ``C`` channels in and out: each count ×C², in both panels."""
        t, c = self.full, self.full.channels
        template = "weights are per pair of channels: with C = {c} channels in and out, ×C²"
        heading = self.heading(self.tr(template, c=c))
        if self.stages[-1].single is None:
            template = "With C = {c} channels in and out: {stack} weights"
        else:
            template = (
                "With C = {c} channels in and out: {stack} weights for the stack, "
                "{single} for one kernel"
            )
        self.cue(self.tr(template, **totals_texts(t), c=c))
        self.play(Fade(self.stage_text, False), Fade(heading), run_time=0.6)
        self.stage_text = heading
        self.play(Fade(self.panels["channels"]), run_time=0.8)
        self.wait(3)

    @beat
    def show_recap(self):
        self.recap = self.get_recap()
        self.cue(self.recap_cue())
        self.play(*fade_out(*(m for m in self.mobjects if m is not self.title)), run_time=0.6)
        self.play(Fade(self.recap), run_time=0.8)
        self.wait(3.5)

    # -- texts from the traces ---------------------------------------------------------

    def heading(self, text: str) -> Text:
        return fit_width(label(text, self.theme.text, 26), 13.6).move_to([0, STAGE_Y, 0])

    def stage_text_for(self, n: int, t: ReceptiveTrace, templates: tuple[str, str]) -> str:
        """Stage ``n``'s heading or caption (:data:`HEADINGS`, :data:`CUES`)."""
        return self.tr(
            templates[n > 1],
            n=n,
            layers=self.tr(", ").join(layer_text(layer) for layer in t.layers),
            field=field_text(t),
            weights=t.weights_stack,
            relus=t.nonlinear_stack,
        )

    def recap_cue(self) -> str:
        """The last stage against its one big kernel, as the recap table's last row says."""
        if self.stages[-1].single is None:
            return self.stage_text_for(len(self.stages), self.full, CUES)
        t = self.full
        return self.tr(
            "Recap: the same {field} receptive field from {n} stacked layers ({stack} weights, "
            "{relus} ReLUs) or from one {kernel} kernel ({single} weights, {relus_single} ReLU)",
            field=field_text(t),
            n=len(self.stages),
            stack=t.weights_stack,
            relus=t.nonlinear_stack,
            kernel=layer_text(t.single_layer),
            single=t.weights_single,
            relus_single=t.nonlinear_single,
        )

    # -- mobjects from the traces ------------------------------------------------------

    def get_grid(self, name: str, hw, color: str, cell: float, x: float, y: float) -> Grid:
        """An empty grid: its ``name`` above its shape above the cells, centred on (x, y);
        the cells drawn as one path."""
        h, w = hw
        size = self.texts.text(shape(h, w), TITLE_SIZE, color)
        buff = SIZE_BUFF + size.height + 0.06
        grid = Grid(np.zeros((h, w)), name, color, self.theme, cell, title_size=TITLE_SIZE)
        grid.title.next_to(grid.cells, UP, buff=buff)
        grid.add(size.next_to(grid.cells, UP, buff=SIZE_BUFF))
        return grid.place(x, y).flatten()

    def title_width(self, name: str, hw, color: str) -> float:
        """The width of a grid's name or shape line, whichever is wider."""
        lines = (name, shape(*hw))
        return max(self.texts.original(line, TITLE_SIZE, color).width for line in lines)

    def get_stack_grids(self) -> list[Grid]:
        """One grid per feature map of the full chain, laid out left to right in columns
        as wide as the grid or its title, whichever is wider."""
        sizes = [(int(h), int(w)) for h, w in self.full.map_sizes]
        titles = [self.tr("input")] + [self.tr("map {m}", m=m) for m in range(1, len(sizes))]
        colors = [self.theme.input] + [self.theme.output] * (len(sizes) - 1)
        cell = min(0.3, ROW_H / max(h for h, _ in sizes))
        title_w = [self.title_width(*args) for args in zip(titles, sizes, colors, strict=True)]
        free = self.info_left - 0.3 - LEFT_X - ARROW_W * (len(sizes) - 1)
        while (
            cell > 0.05
            and sum(max(w * cell, tw) for (_, w), tw in zip(sizes, title_w, strict=True)) > free
        ):
            cell *= 0.95
        grids, x = [], LEFT_X
        for title, hw, color, tw in zip(titles, sizes, colors, title_w, strict=True):
            column = max(hw[1] * cell, tw)
            grid = self.get_grid(title, hw, color, cell, x + column / 2, STACK_Y)
            grid.column = (x, x + column)
            grids.append(grid)
            x += column + ARROW_W
        return grids

    def labelled_arrow(self, a: Grid, b: Grid, text: str, y: float) -> VGroup:
        """An arrow from the column of grid ``a`` to that of ``b``, captioned above."""
        start, end = [a.column[1] + 0.08, y, 0], [b.column[0] - 0.08, y, 0]
        arrow = Arrow(start, end, buff=0, color=self.theme.muted, stroke_width=4)
        arrow.max_tip_length_to_length_ratio = 0.3
        caption = label(text, self.theme.kernel, 20).next_to(arrow, UP, buff=0.1)
        return VGroup(arrow, fit_width(caption, arrow.get_length() + 0.3))

    def get_marks(self, grids, t: ReceptiveTrace, m: int) -> VMobject:
        """Highlighted squares over the cells of map ``m`` that the chosen cell depends on."""
        grid, last = grids[m], m == len(t.masks) - 1
        color = self.theme.accent if last else self.theme.highlight
        marks = [
            Square(grid.cell_size).move_to(grid.cell(i, j))
            for i, j in zip(*t.masks[m].nonzero(), strict=True)
        ]
        return merged(marks).set_stroke(color, 2).set_fill(color, 0.55 if last else 0.4)

    def get_cone(self, grids, t: ReceptiveTrace, m: int) -> Polygon:
        """A translucent band from map ``m``'s region to the region it feeds in map ``m+1``."""
        left, right = self.region_box(grids[m], t, m), self.region_box(grids[m + 1], t, m + 1)
        points = [left.get_corner(UR), right.get_corner(UL), right.get_corner(DL)]
        points.append(left.get_corner(DL) + (left.get_corner(UR) - left.get_corner(UL)))
        cone = Polygon(*points, stroke_width=0)
        return cone.set_fill(self.theme.highlight, opacity=0.16)

    def region_box(self, grid: Grid, t: ReceptiveTrace, m: int) -> VGroup:
        r0, r1, c0, c1 = t.regions_clipped[m]
        first, last = grid.cell(r0, c0), grid.cell(r1 - 1, c1 - 1)
        return VGroup(first) if first is last else VGroup(first, last)

    def get_region_caption(self, t: ReceptiveTrace, m: int) -> Text:
        r0, r1, c0, c1 = t.regions_clipped[m]
        text = label(shape(r1 - r0, c1 - c0), self.theme.highlight, 20)
        return text.next_to(self.grids[m].cells, DOWN, buff=0.1)

    def get_panels(self) -> dict:
        """Info panels of every stage (stack and single kernel), and the ``×C²`` lines under
        the last stage's panels, all left-aligned where the widest of them fits the frame."""
        panels: dict = {}
        for n, stage in enumerate(self.stages, start=1):
            panels["stack", n] = self.get_info(stage.stack, STACK_Y, stack=True)
            if stage.single is not None:
                panels["single", n] = self.get_info(stage.single, SINGLE_Y, stack=False)
        last, extra = len(self.stages), VGroup()
        for kind, text in totals_texts(self.full).items():
            if (kind, last) in panels:
                line = label(f"×C²: {text}", self.theme.kernel, 24)
                extra.add(line.next_to(panels[kind, last], DOWN, buff=0.16, aligned_edge=LEFT))
        panels["channels"] = extra
        self.info_left = 6.95 - max(m.width for group in panels.values() for m in group)
        for group in [*panels.values(), *extra]:
            group.shift((self.info_left - group.get_left()[0]) * RIGHT)
        return panels

    def get_info(self, t: ReceptiveTrace, y: float, stack: bool) -> VGroup:
        """Receptive field, weights per channel pair and non-linearities of one row."""
        th = self.theme
        weights = stack_weights_text(t) if stack else single_weights_text(t)
        relus = t.nonlinear_stack if stack else t.nonlinear_single
        lines = VGroup(
            label(self.tr("receptive field {field}", field=field_text(t)), th.highlight, 24),
            label(self.tr("weights: {weights}", weights=weights), th.kernel, 24),
            label(self.tr("ReLUs: {relus}", relus=relus), th.text, 24),
        ).arrange(DOWN, buff=0.16, aligned_edge=LEFT)
        return lines.move_to([0, y, 0])

    def get_single_row(self, n: int, s: ReceptiveTrace) -> VGroup:
        """Input grid → one big kernel → its output map (under the stack's map ``n``)."""
        th, cell = self.theme, self.grids[0].cell_size
        x_in, x_out = (self.grids[m].cells.get_center()[0] for m in (0, n))
        inp = self.get_grid(self.tr("input"), s.map_sizes[0], th.input, cell, x_in, SINGLE_Y)
        out = self.get_grid(self.tr("output"), s.map_sizes[1], th.output, cell, x_out, SINGLE_Y)
        for grid in (inp, out):
            grid.column = (grid.cells.get_left()[0], grid.cells.get_right()[0])
        text = self.tr("one {kernel} kernel", kernel=layer_text(s.single_layer))
        row = VGroup(inp, self.labelled_arrow(inp, out, text, SINGLE_Y), out)
        row.grids = [inp, out]
        return row

    def get_recap(self) -> VGroup:
        """Heading, table (header row, then one row per stage) and note."""
        th = self.theme
        header = [self.tr(w) for w in ("layers", "field", "stack weights", "one kernel", "ReLUs")]
        rows = [
            [str(n), field_text(t), stack_weights_text(t), single_weights_text(t), relus_text(t)]
            for n, t in enumerate((stage.stack for stage in self.stages), start=1)
        ]
        colors = [th.muted] + [th.text] * len(rows)
        table = glyph_table([header, *rows], colors, size=28, gap=0.9)
        head = self.tr("n stacked layers vs one kernel with the same receptive field")
        note = self.tr("weights per pair of channels (×C² for C channels in and out)")
        group = VGroup(label(head, th.text, 28), table, label(note, th.muted, 22))
        return fit_width(group.arrange(DOWN, buff=0.5), 13.6).move_to([0, -0.2, 0])
