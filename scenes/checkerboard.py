"""Checkerboard artifacts: how many kernel taps of a transposed convolution land on each
output cell, kernel 3 against kernel 4 at stride 2 (Odena, Dumoulin & Olah, "Deconvolution
and Checkerboard Artifacts", Distill 2016). An input of ones and kernels of ones make each
output value that count. Render:

    manim render -ql scenes/checkerboard.py CheckerboardArtifacts
    convanim build checkerboard --quality low
    convanim build checkerboard --stride 3 --kernel-a 4 --kernel-b 6
"""

from __future__ import annotations

from manim import Create, VGroup

from scenes.kit.anim import Fade, Glide, Steps, fade_out, fade_out_shown
from scenes.kit.fmt import fmt, shape
from scenes.kit.grid import Grid, cell_size, highlight_box, window_squares
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, join_lines, note, title_bar
from scenes.specs.checkerboard import SPEC

TOP = 2.0  # top edge of the output grids' cells
HEIGHT = 3.9  # room for them below TOP
PANELS = (-3.55, 3.55)  # centres of the left and right halves
SIDE_W = 1.5  # the input and kernel column of each half
NOTE_TOP = -2.45  # the note under the grids …
VERDICT_TOP = -2.05  # … or, at the end, each half's verdict under its grid
END_TOP = -2.9  # and the closing note under them
BOTTOM = -3.85  # notes end above this
SHADE = (0.05, 0.7)  # cell fill opacity: fewest taps → most taps (relative to the peak)
CITATION = "Odena, Dumoulin & Olah, “Deconvolution and Checkerboard Artifacts”, Distill 2016"
SHORT_CITATION = "Odena, Dumoulin & Olah, Distill 2016"


class CheckerboardArtifacts(ConvScene):
    """Both transposed convolutions of ones scatter side by side; the counts are shaded."""

    spec = SPEC
    fast_drawing = True
    title_text = "Checkerboard artifacts of transposed convolutions"

    def setup(self):
        super().setup()
        self.texts, self.note = TextCache(), VGroup()
        self.shown: list[dict] = [{}, {}]  # per panel: output (r, c) → Text on screen

    def construct(self):
        self.show_title()
        self.show_panels()
        for k in range(self.trace.traces[0].n_steps):
            self.scatter(k, slow=k == 0)
        self.shade()
        self.compare()

    # -- beats ------------------------------------------------------------------------

    @beat
    def show_title(self):
        v = self.values
        subtitle = self.tr(
            "stride {stride} · input {input} of ones · kernels of ones: each output value "
            "counts the kernel taps that land on it",
            stride=self.trace.stride,
            input=shape(v.input_size, v.input_size),
        )
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        self.play(Fade(self.title), run_time=0.8)
        self.cue(f"{self.title[0].original_text}: {subtitle}.")

    @beat
    def show_panels(self):
        self.panels = [self.get_panel(n) for n in (0, 1)]
        self.play(*(Fade(m) for p in self.panels for m in (*p, p[0].numbers, p[1].numbers)))
        self.say(
            self.tr(
                "Each input cell adds a copy of the kernel to the output, {stride} cells "
                "apart; where copies overlap, the taps add up.",
                stride=self.trace.stride,
            )
        )
        self.wait(1)

    @beat
    def scatter(self, k: int, slow: bool):
        moves = []
        for trace, (inputs, _, out) in zip(self.trace.traces, self.panels, strict=True):
            i, j = trace.in_index[k]
            box = highlight_box(inputs.cell(i, j), self.theme)
            taps = [out.cell(r, c) for r in trace.tap_rows[k] for c in trace.tap_cols[k]]
            window = window_squares(taps, self.theme)
            if k == 0:
                out.marks = VGroup(box, window)
                moves += [Create(box), Create(window)]
            else:
                self.bring_to_front(out.marks)
                moves += [Glide(out.marks[0], to=box), Glide(out.marks[1], to=window)]
        self.play(*moves, run_time=0.8 if slow else 0.3)
        old, new = [], []  # the counts snap: one remove and one add (each restructures)
        for trace, (_, _, out), shown in zip(
            self.trace.traces, self.panels, self.shown, strict=True
        ):
            for r in trace.tap_rows[k]:
                for c in trace.tap_cols[k]:
                    old += [shown[r, c]] if (r, c) in shown else []
                    count = self.texts.text(
                        fmt(trace.running[0, k, 0, r, c]), out.font_size, self.theme.text
                    )
                    shown[r, c] = count.move_to(out.cell(r, c))
                    new.append(count)
        self.remove(*old)
        self.add(*new)
        self.wait(1.2 if slow else 0.25)

    @beat
    def shade(self):
        self.play(*fade_out_shown(self, *(p[2].marks for p in self.panels)), run_time=0.5)
        low, high = SHADE

        def fill(grid, alpha, relative):  # the grid stays where it is drawn, under its numbers
            for cell, rel in zip(grid.cells, relative.ravel(), strict=True):
                cell.set_fill(opacity=low + alpha * (high - low) * rel)

        steps = [
            Steps(p[2], lambda m, a, rel=pattern.relative: fill(m, a, rel))
            for p, pattern in zip(self.panels, self.trace.patterns, strict=True)
        ]
        self.say(self.tr("Shaded by count: the more taps, the stronger the colour."))
        self.play(*steps, run_time=1.5)
        self.wait(1)

    @beat
    def compare(self):
        lines = []
        for n, (_, _, out) in enumerate(self.panels):
            r0, r1, c0, c1 = self.trace.patterns[n].interior
            inside = VGroup(*(out.cell(r, c) for r in range(r0, r1) for c in range(c0, c1)))
            out.inside = highlight_box(inside, self.theme)
            verdict = note([self.verdict(n)], self.theme.text, 20, columns=50)
            lines.append(verdict.move_to([PANELS[n], VERDICT_TOP - verdict.height / 2, 0]))
        self.play(*fade_out(self.note), *(Create(p[2].inside) for p in self.panels), run_time=1)
        self.note = VGroup()
        self.cue(join_lines(self.verdict(n) + "." for n in (0, 1)))
        self.play(*(Fade(line) for line in lines), run_time=0.8)
        self.verdicts = lines
        self.wait(2.5)
        template = (
            "Uneven overlap makes the checkerboard artifacts of transposed convolutions "
            "({citation}); a kernel size divisible by the stride avoids it."
        )
        cue = self.tr(template, citation=CITATION)  # the caption names the paper in full
        self.say(self.tr(template, citation=SHORT_CITATION), cue=cue, top=END_TOP, size=20)
        self.wait(3)

    # -- mobjects from the trace --------------------------------------------------------

    def get_panel(self, n: int) -> tuple[Grid, Grid, Grid]:
        """Input and kernel (a column), and the output grid (numbers added as they land)."""
        t, th = self.trace.traces[n], self.theme
        (h, w), (kh, kw), (oh, ow) = t.x.shape[2:], t.kernel_size, t.out_shape
        sides = [p.counts.shape for p in self.trace.patterns]
        cell = min(cell_size(*s, 6.8 - SIDE_W - 0.4, HEIGHT, 0.6) for s in sides)
        small = min(cell_size(h, w, SIDE_W, 1.6, 0.36), cell_size(kh, kw, SIDE_W, 1.9, 0.36))
        inputs = self.grid(t.x[0, 0], self.tr("input {shape}", shape=shape(h, w)), th.input, small)
        kernel = self.grid(
            t.weight[0, 0], self.tr("kernel {shape}", shape=shape(kh, kw)), th.kernel, small
        )
        title = self.tr("output {shape} (kernel {k})", k=kh, shape=shape(oh, ow))
        out = Grid((oh, ow), title, th.output, th, cell, title_size=22, widest="00", max_font=24)
        left = PANELS[n] - 3.4
        out.place_top(left + SIDE_W + 0.4 + out.cells.width / 2, TOP)
        inputs.place_top(left + SIDE_W / 2, TOP)
        kernel.place_top(left + SIDE_W / 2, inputs.cells.get_bottom()[1] - 0.65)
        return inputs, kernel, out

    def verdict(self, n: int) -> str:
        """What the counts inside the box of panel ``n`` say, with the trace's numbers."""
        pattern = self.trace.patterns[n]
        k = (self.values.kernel_a, self.values.kernel_b)[n]
        s, levels = self.trace.stride, ", ".join(map(str, pattern.levels))
        multiple = self.tr(
            "a multiple of stride {s}" if pattern.divisible[0] else "not a multiple of stride {s}",
            s=s,
        )
        if pattern.even:
            return self.tr(
                "kernel {k}, {multiple}: {levels} taps on every cell in the box, even",
                k=k,
                multiple=multiple,
                levels=levels,
            )
        return self.tr(
            "kernel {k}, {multiple}: {levels} taps per cell in the box, a checkerboard",
            k=k,
            multiple=multiple,
            levels=levels,
        )

    def grid(self, values, title: str, color: str, cell: float) -> Grid:
        g = Grid(values, title, color, self.theme, cell, title_size=20)
        g.numbers_for([[fmt(v) for v in row] for row in values], cache=self.texts)
        return g

    def say(self, *lines: str, cue: str | None = None, top: float = NOTE_TOP, size: float = 22):
        """Replace the note with ``lines`` (top edge at ``top``, above the frame's bottom)."""
        old, self.note = self.note, note(lines, self.theme.text, size, columns=int(1980 / size))
        if self.note.height > top - BOTTOM:
            self.note.scale_to_fit_height(top - BOTTOM)
        self.note.move_to([0, top - self.note.height / 2, 0])
        self.cue(cue or join_lines(lines))
        self.play(*fade_out(*([old] if len(old) else [])), Fade(self.note), run_time=0.5)
