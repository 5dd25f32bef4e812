"""Receptive field: one output cell traced back through stacked 3×3 layers (3 → 5 → 7).

Layer by layer the chosen cell of the last feature map depends on a growing block of the
input; beside the stack, one big kernel with the same receptive field (5×5, then 7×7)
needs more weights (2·9 = 18 vs 25, 3·9 = 27 vs 49 per channel pair) and has one
non-linearity instead of one per layer. Render:

    manim render -ql scenes/receptive_field.py ReceptiveField
    convanim build receptive-field --quality low
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Arrow,
    Polygon,
    Square,
    Text,
    VGroup,
)

from convcore.receptive import ReceptiveTrace, as_layers, central_cell, receptive_trace
from scenes.common import MONO, ConvScene, label, title_bar
from scenes.fast import CellGrid, Fade
from scenes.textfmt import DOT, shape

MAX_LAYERS = 4
MAX_INPUT = 12  # cells per side of the input grid
STACK_Y = 0.97  # centre line of the stack's maps
SINGLE_Y = -2.38  # centre line of the single-kernel row
ROW_H = 2.2  # height available to a row's largest map
TITLE_SIZE = 20  # grid titles (two lines: what, shape)
ARROW_W = 0.95
LEFT_X = -6.8
STAGE_Y = 3.05


@dataclass(frozen=True)
class Stage:
    """The first ``n`` layers: their trace, and one big kernel with the same field."""

    stack: ReceptiveTrace
    single: ReceptiveTrace | None  # None for one layer (it is its own single kernel)


def layer_text(layer) -> str:
    """``"3×3"``, with ``s2 p1 d2`` for a stride, padding or dilation other than 1, 0, 1."""
    text = shape(layer.kernel, layer.kernel)
    extra = [
        f"{key}{value}"
        for key, value, plain in (
            ("s", layer.stride, 1),
            ("p", layer.padding, 0),
            ("d", layer.dilation, 1),
        )
        if value != plain
    ]
    return " ".join([text, *extra])


def stack_weights_text(t: ReceptiveTrace) -> str:
    """``"2·9 = 18"`` for equal layers, ``"9 + 25 = 34"`` otherwise (all trace fields)."""
    w = t.layer_weights
    if np.all(w == w[0]):
        terms = f"{len(t.layers)}{DOT}{w[0]}" if len(w) > 1 else f"{w[0]}"
    else:
        terms = " + ".join(str(v) for v in w)
    return terms if len(w) == 1 else f"{terms} = {t.weights_stack}"


class ReceptiveField(ConvScene):
    """One output cell's receptive field through a stack of layers vs one big kernel.

    Parameters (class attributes): ``layers``, a sequence of ``(kernel, stride, padding,
    dilation)`` tuples (trailing entries optional); ``input_size``; ``channels``, the ``C``
    of the ``×C²`` weight count.
    """

    layers = ((3, 1, 0, 1),) * 3
    input_size = 9
    channels = 64
    title_text = "Receptive field: stacking small kernels"

    @classmethod
    def make_trace(cls) -> list[Stage]:
        """One :class:`Stage` per prefix of ``layers`` (raises ``ValueError`` if unusable)."""
        layers = as_layers(cls.layers)
        if len(layers) > MAX_LAYERS:
            raise ValueError(f"{len(layers)} layers: at most {MAX_LAYERS} can be drawn")
        size = np.broadcast_to(np.asarray(cls.input_size), (2,))
        if size.max() > MAX_INPUT:
            raise ValueError(
                f"input {shape(*size)} is too large to draw (at most {MAX_INPUT}×{MAX_INPUT})"
            )
        stages = []
        for n in range(1, len(layers) + 1):
            cell = central_cell(layers[:n], cls.input_size)
            stack = receptive_trace(layers[:n], cls.input_size, cell, cls.channels)
            single = None
            if n > 1:
                single = receptive_trace([stack.single_layer], cls.input_size, cell, cls.channels)
            stages.append(Stage(stack, single))
        return stages

    def setup(self):
        super().setup()
        self.stages = self.make_trace()
        self.full = self.stages[-1].stack
        self.panels = self.get_panels()

    def construct(self):
        self.show_title()
        for n, stage in enumerate(self.stages, start=1):
            self.show_stage(n, stage)
        self.show_channels()
        self.show_recap()

    # -- beats -------------------------------------------------------------------------

    def show_title(self):
        th = self.theme
        self.title = title_bar(self.tr(self.title_text), th)
        self.stage_text = label(
            self.tr("one output cell: which input cells does it depend on?"), th.muted, 26
        ).move_to([0, STAGE_Y, 0])
        self.cue(
            self.tr(
                "Receptive field of stacked small kernels: "
                "which input cells does one output cell depend on?"
            )
        )
        self.grids = self.get_stack_grids()
        self.arrows = self.get_arrows()
        self.play(Fade(self.title), Fade(self.stage_text), run_time=0.8)
        self.play(Fade(self.grids[0]), run_time=0.8)
        self.marks = VGroup()
        self.info = VGroup()
        self.single_row = VGroup()

    def show_stage(self, n: int, stage: Stage):
        t, th = stage.stack, self.theme
        self.cue(self.stage_cue(n, stage))
        heading = label(self.stage_heading(n, stage), th.text, 26).move_to([0, STAGE_Y, 0])
        if heading.width > 13.6:
            heading.scale_to_fit_width(13.6)
        old = VGroup(self.marks, self.info, self.single_row, self.stage_text)
        self.play(
            *(Fade(m, False) for m in old if m in self.mobjects),
            Fade(self.arrows[n - 1]),
            Fade(self.grids[n]),
            Fade(heading),
            run_time=0.8,
        )
        self.stage_text = heading
        self.marks = VGroup()
        self.add(self.marks)
        cells = [self.get_marks(self.grids, t, m) for m in range(n + 1)]
        self.play(Fade(cells[n]), run_time=0.5)
        self.remove(cells[n])
        self.marks.add(cells[n])
        for m in range(n - 1, -1, -1):
            cone = self.get_cone(self.grids, t, m)
            caption = self.get_region_caption(t, m)
            self.play(Fade(cone), Fade(cells[m]), Fade(caption), run_time=0.9 if n == 1 else 0.7)
            self.remove(cone, cells[m], caption)
            self.marks.add(cone, cells[m], caption)
        self.info = self.panels["stack", n]
        self.play(Fade(self.info), run_time=0.6)
        self.wait(1.2)
        if stage.single is not None:
            self.show_single(n, stage.single)

    def show_single(self, n: int, s: ReceptiveTrace):
        t = self.stages[n - 1].stack
        self.cue(
            self.tr(
                "One {kernel} kernel sees the same {field}: {single} weights (the stack: "
                "{stack}), {relus_single} ReLU (the stack: {relus_stack})",
                kernel=layer_text(s.single_layer),
                field=shape(s.size[-1], s.size[-1]),
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

    def show_channels(self):
        """Weights for ``C`` channels in and out: each count ×C², in both panels."""
        th, c = self.theme, self.full.channels
        extra = self.panels["channels"]
        heading = label(
            self.tr("weights are per pair of channels: with C = {c} channels in and out, ×C²", c=c),
            th.text,
            26,
        ).move_to([0, STAGE_Y, 0])
        if heading.width > 13.6:
            heading.scale_to_fit_width(13.6)
        t = self.full
        totals = {
            "stack": f"{t.weights_stack}{DOT}{c}² = {t.weights_stack_total}",
            "single": f"{t.weights_single}{DOT}{c}² = {t.weights_single_total}",
        }
        if self.stages[-1].single is None:
            self.cue(self.tr("With C = {c} channels in and out: {stack} weights", **totals, c=c))
        else:
            self.cue(
                self.tr(
                    "With C = {c} channels in and out: {stack} weights for the stack, "
                    "{single} for one kernel",
                    **totals,
                    c=c,
                )
            )
        self.play(Fade(self.stage_text, False), Fade(heading), run_time=0.6)
        self.stage_text = heading
        self.play(Fade(extra), run_time=0.8)
        self.wait(3)

    def show_recap(self):
        table = self.get_recap()
        self.cue(self.recap_cue())
        on_screen = [m for m in self.mobjects if m is not self.title]
        self.play(*(Fade(m, False) for m in on_screen), run_time=0.6)
        self.play(Fade(table), run_time=0.8)
        self.wait(3.5)

    # -- mobjects from the traces ------------------------------------------------------

    def stage_heading(self, n: int, stage: Stage) -> str:
        t = stage.stack
        layers = self.tr(", ").join(layer_text(layer) for layer in t.layers)
        field = shape(t.size[-1], t.size[-1])
        if n == 1:
            template = "{n} layer ({layers}): one cell sees {field} input cells"
        else:
            template = "{n} layers ({layers}): one cell sees {field} input cells"
        return self.tr(template, n=n, layers=layers, field=field)

    def stage_cue(self, n: int, stage: Stage) -> str:
        """``3 layers (3×3, 3×3, 3×3): receptive field 7×7, 27 weights, 3 ReLUs``."""
        t = stage.stack
        if n == 1:
            template = (
                "{n} layer ({layers}): receptive field {field}, {weights} weights, {relus} ReLU"
            )
        else:
            template = (
                "{n} layers ({layers}): receptive field {field}, {weights} weights, {relus} ReLUs"
            )
        return self.tr(
            template,
            n=n,
            layers=self.tr(", ").join(layer_text(layer) for layer in t.layers),
            field=shape(t.size[-1], t.size[-1]),
            weights=t.weights_stack,
            relus=t.nonlinear_stack,
        )

    def recap_cue(self) -> str:
        """The last stage against its one big kernel, as the recap table's last row says."""
        stage = self.stages[-1]
        if stage.single is None:
            return self.stage_cue(len(self.stages), stage)
        t = stage.stack
        return self.tr(
            "Recap: the same {field} receptive field from {n} stacked layers ({stack} weights, "
            "{relus} ReLUs) or from one {kernel} kernel ({single} weights, {relus_single} ReLU)",
            field=shape(t.size[-1], t.size[-1]),
            n=len(self.stages),
            stack=t.weights_stack,
            relus=t.nonlinear_stack,
            kernel=layer_text(t.single_layer),
            single=t.weights_single,
            relus_single=t.nonlinear_single,
        )

    def get_stack_grids(self) -> list[CellGrid]:
        """One grid per feature map of the full chain, laid out left to right in columns
        as wide as the grid or its title, whichever is wider."""
        sizes = self.full.map_sizes
        titles = [self.tr("input")] + [self.tr("map {m}", m=m) for m in range(1, len(sizes))]
        titles = [f"{title}\n{shape(h, w)}" for title, (h, w) in zip(titles, sizes, strict=True)]
        colors = [self.theme.input] + [self.theme.output] * (len(sizes) - 1)
        cell = float(min(0.3, ROW_H / sizes[:, 0].max()))
        title_w = np.array([label(title, self.theme.text, TITLE_SIZE).width for title in titles])
        free = self.info_left - 0.3 - LEFT_X - ARROW_W * (len(sizes) - 1)
        while cell > 0.05 and np.maximum(sizes[:, 1] * cell, title_w).sum() > free:
            cell *= 0.95
        grids, x = [], LEFT_X
        for title, (h, w), color, tw in zip(titles, sizes, colors, title_w, strict=True):
            grid = CellGrid(np.zeros((h, w)), title, color, self.theme, cell, None, TITLE_SIZE)
            column = max(w * cell, tw)
            grid.place(x + column / 2, STACK_Y)
            grid.column = (x, x + column)
            grids.append(grid)
            x += column + ARROW_W
        return grids

    def get_arrows(self) -> list[VGroup]:
        """An arrow labelled with the layer (``3×3``, ``s2`` …) between consecutive maps."""
        arrows = []
        for layer, a, b in zip(self.full.layers, self.grids, self.grids[1:], strict=False):
            arrows.append(self.labelled_arrow(a, b, layer_text(layer), STACK_Y))
        return arrows

    def labelled_arrow(self, a: CellGrid, b: CellGrid, text: str, y: float) -> VGroup:
        """An arrow from the column of grid ``a`` to that of ``b``, captioned above."""
        start = [a.column[1] + 0.08, y, 0]
        end = [b.column[0] - 0.08, y, 0]
        arrow = Arrow(start, end, buff=0, color=self.theme.muted, stroke_width=4)
        arrow.max_tip_length_to_length_ratio = 0.3
        caption = label(text, self.theme.kernel, 20).next_to(arrow, UP, buff=0.1)
        if caption.width > arrow.get_length() + 0.3:
            caption.scale_to_fit_width(arrow.get_length() + 0.3)
        return VGroup(arrow, caption)

    def get_marks(self, grids, t: ReceptiveTrace, m: int) -> VGroup:
        """Highlighted squares over the cells of map ``m`` that the chosen cell depends on."""
        grid, last = grids[m], m == len(t.masks) - 1
        color = self.theme.accent if last else self.theme.highlight
        marks = VGroup()
        for i, j in np.argwhere(t.masks[m]):
            sq = Square(grid.cell_size, stroke_color=color, stroke_width=2)
            marks.add(sq.set_fill(color, opacity=0.55 if last else 0.4).move_to(grid.cell(i, j)))
        return marks

    def get_cone(self, grids, t: ReceptiveTrace, m: int) -> Polygon:
        """A translucent band from map ``m``'s region to the region it feeds in map ``m+1``."""
        left, right = self.region_box(grids[m], t, m), self.region_box(grids[m + 1], t, m + 1)
        points = [left.get_corner(UR), right.get_corner(UL), right.get_corner(DL)]
        points.append(left.get_corner(DL) + (left.get_corner(UR) - left.get_corner(UL)))
        cone = Polygon(*points, stroke_width=0)
        return cone.set_fill(self.theme.highlight, opacity=0.16)

    def region_box(self, grid: CellGrid, t: ReceptiveTrace, m: int) -> VGroup:
        r0, r1, c0, c1 = t.regions_clipped[m]
        first, last = grid.cell(r0, c0), grid.cell(r1 - 1, c1 - 1)
        return VGroup(first) if first is last else VGroup(first, last)

    def get_region_caption(self, t: ReceptiveTrace, m: int) -> Text:
        r0, r1, c0, c1 = t.regions_clipped[m]
        grid = self.grids[m]
        text = label(shape(r1 - r0, c1 - c0), self.theme.highlight, 20)
        return text.next_to(grid.cells, DOWN, buff=0.1)

    def get_panels(self) -> dict:
        """Info panels of every stage (stack and single kernel), and the ``×C²`` lines under
        the last stage's panels, all left-aligned where the widest of them fits the frame."""
        panels: dict = {}
        for n, stage in enumerate(self.stages, start=1):
            panels["stack", n] = self.get_info(stage.stack, STACK_Y, stack=True)
            if stage.single is not None:
                panels["single", n] = self.get_info(stage.single, SINGLE_Y, stack=False)
        t, c, last = self.full, self.full.channels, len(self.stages)
        lines = [("stack", f"{t.weights_stack}{DOT}{c}² = {t.weights_stack_total}")]
        if ("single", last) in panels:
            lines.append(("single", f"{t.weights_single}{DOT}{c}² = {t.weights_single_total}"))
        extra = VGroup()
        for kind, text in lines:
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
        field = shape(t.size[-1], t.size[-1])
        if stack:
            weights = stack_weights_text(t)
            relus = t.nonlinear_stack
        else:
            k = t.single_layer.kernel
            weights = f"{k}{DOT}{k} = {t.weights_single}"
            relus = t.nonlinear_single
        lines = VGroup(
            label(self.tr("receptive field {field}", field=field), th.highlight, 24),
            label(self.tr("weights: {weights}", weights=weights), th.kernel, 24),
            label(self.tr("ReLUs: {relus}", relus=relus), th.text, 24),
        ).arrange(DOWN, buff=0.16, aligned_edge=LEFT)
        return lines.move_to([0, y, 0])

    def get_single_row(self, n: int, s: ReceptiveTrace) -> VGroup:
        """Input grid → one big kernel → its output map (under the stack's map ``n``)."""
        th = self.theme
        (h, w), (oh, ow) = s.map_sizes
        cell = self.grids[0].cell_size
        inp = CellGrid(
            np.zeros((h, w)),
            f"{self.tr('input')}\n{shape(h, w)}",
            th.input,
            th,
            cell,
            None,
            TITLE_SIZE,
        )
        out = CellGrid(
            np.zeros((oh, ow)),
            f"{self.tr('output')}\n{shape(oh, ow)}",
            th.output,
            th,
            cell,
            None,
            TITLE_SIZE,
        )
        inp.place(self.grids[0].cells.get_center()[0], SINGLE_Y)
        out.place(self.grids[n].cells.get_center()[0], SINGLE_Y)
        for grid in (inp, out):
            grid.column = (grid.cells.get_left()[0], grid.cells.get_right()[0])
        text = self.tr("one {kernel} kernel", kernel=layer_text(s.single_layer))
        arrow = self.labelled_arrow(inp, out, text, SINGLE_Y)
        row = VGroup(inp, arrow, out)
        row.grids = [inp, out]
        return row

    def get_recap(self) -> VGroup:
        """A table: layers, receptive field, weights of the stack and of one kernel, ReLUs.

        The rows of numbers are monospace Texts; the header's words are one Text per column,
        placed on the columns (a Chinese word is wider than its count of characters).
        """
        th = self.theme
        header = [
            self.tr(word) for word in ("layers", "field", "stack weights", "one kernel", "ReLUs")
        ]
        rows = []
        for n, stage in enumerate(self.stages, start=1):
            t = stage.stack
            field = shape(t.size[-1], t.size[-1])
            k = t.single_layer.kernel
            single = f"{k}{DOT}{k} = {t.weights_single}"
            relus = f"{t.nonlinear_stack} vs {t.nonlinear_single}"
            rows.append([str(n), field, stack_weights_text(t), single, relus])
        probe = [Text("0" * n, font=MONO, font_size=28).width for n in (1, 21)]
        char_w = (probe[1] - probe[0]) / 20  # the advance of one monospace character
        head_row = Text("   ".join(header), font=MONO, font_size=28, color=th.muted)
        counts = [len("".join(word.split())) for word in header]  # glyphs per word
        starts = np.cumsum([0, *counts])
        words = [VGroup(*head_row[a:b]) for a, b in pairwise(starts)]
        widths = [
            max(int(np.ceil(word.width / char_w - 0.05)), *(len(r[c]) for r in rows))
            for c, word in enumerate(words)
        ]
        lines = ["   ".join(r[c].ljust(widths[c]) for c in range(len(header))) for r in rows]
        texts = [Text(line, font=MONO, font_size=28, color=th.text) for line in lines]
        table = VGroup(head_row, *texts).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        for c, word in enumerate(words):
            x = head_row.get_left()[0] + (sum(widths[:c]) + 3 * c) * char_w
            word.shift((x - word.get_left()[0]) * RIGHT)
        head = label(
            self.tr("n stacked layers vs one kernel with the same receptive field"), th.text, 28
        )
        note = label(
            self.tr("weights per pair of channels (×C² for C channels in and out)"), th.muted, 22
        )
        group = VGroup(head, table, note).arrange(DOWN, buff=0.5)
        if group.width > 13.6:
            group.scale_to_fit_width(13.6)
        self.recap_rows = [head_row, *texts]
        return group.move_to([0, -0.2, 0])
