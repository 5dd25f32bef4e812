"""Cross-correlation (what PyTorch's Conv2d computes) against true convolution (the kernel
rotated by 180° first), on the same input, side by side.

Render the article's example (5×5 input 1..25, the asymmetric kernel 1..9: 411 … 951
against 219 … 759), or a symmetric kernel (equal outputs):

    manim render -ql scenes/flip.py Flip
    convanim build flip --quality low
    convanim build flip --kernel "1 2 1; 2 4 2; 1 2 1" --mode same
"""

from __future__ import annotations

from manim import DOWN, LEFT, PI, RIGHT, UP, Rotate, VGroup

from convcore import ConvTrace
from scenes.kit.anim import Blink, Fade, Glide, Type, fade_out
from scenes.kit.fmt import equation, fmt, fmt_rows, product_terms, shape
from scenes.kit.grid import Grid, cell_size, highlight_box, merged, window_squares
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, clamp_x, label, note, title_bar, wrap_terms
from scenes.specs.flip import SPEC

INPUT_X, COLUMN_X = -4.45, (0.0, 4.75)  # the input; cross-correlation and convolution columns
BOARD_Y, KERNEL_Y, OUTPUT_Y = -0.05, 1.2, -1.25  # cell centres
EQUATION_TOP = -2.55
SIDES = ("correlation", "convolution")
HEADERS = {
    "correlation": "cross-correlation · PyTorch Conv2d",
    "convolution": "convolution · scipy convolve2d",
}
OUT_TITLES = {"correlation": "x ⋆ k {shape}", "convolution": "x ∗ k {shape}"}
SYMMETRY = {
    True: "This kernel is symmetric: it equals its rotation.",
    False: "This kernel is not symmetric: its rotation is a different kernel.",
}
VERDICT = {  # (kernel symmetric, outputs equal)
    (False, False): "The kernel is not symmetric, so the outputs differ at {n} of {total} "
    "positions: the same windows meet the weights in another order.",
    (True, True): "The kernel equals its rotation, so the outputs are equal at all {total} "
    "positions: for this kernel convolution and cross-correlation are the same.",
    (False, True): "The kernel is not symmetric, yet for this input the outputs are equal at "
    "all {total} positions.",
    (True, False): "The kernel equals its rotation, yet the outputs differ at {n} of {total} "
    "positions (the two are centred differently).",
}
CNN = (
    "For CNNs the flip does not matter: the kernel is learned. A network trained with "
    "cross-correlation simply learns the rotated weights a convolution would have: "
    "x ⋆ k = x ∗ (k rotated 180°), the same function."
)
SIGNAL = (
    "For signal processing it does: only convolution is commutative (x ∗ k = k ∗ x) and "
    "associative ((x ∗ a) ∗ b = x ∗ (a ∗ b)), so two filters in a row are one filter, a ∗ b."
)


class Flip(ConvScene):
    """The kernel rotates; the same windows times k and times the rotated k; the verdict."""

    spec = SPEC
    fast_drawing = True
    title_text = "Cross-correlation or convolution: the flipped kernel"

    def setup(self):
        super().setup()
        self.texts = TextCache()
        self.boards = {}  # side → (kernel grid, output grid)

    def construct(self):
        self.show_title()
        self.rotate_kernel()
        self.show_board()
        self.compare_position()
        self.compare_outputs()
        self.conclude()
        self.recap()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        t = self.trace
        sizes = self.tr(
            "mode {mode} · input {input} · kernel {kernel}",
            mode=t.mode,
            input=shape(*t.x.shape),
            kernel=shape(*t.kernel.shape),
        )
        self.title = title_bar(self.tr(self.title_text), self.theme, sizes)
        self.play(Fade(self.title), run_time=0.8)
        self.cue(self.tr("{title}: {sizes}.", title=self.tr(self.title_text), sizes=sizes))

    @beat
    def rotate_kernel(self):
        t, th = self.trace, self.theme
        cell = cell_size(*t.kernel.shape, 3.0, 2.6, 0.8)
        title = self.tr("kernel k {shape}", shape=shape(*t.kernel.shape))
        big = Grid(t.kernel, title, th.kernel, th, cell, show_numbers=True, title_size=26)
        turning = Grid(t.kernel, "", th.kernel, th, cell, show_numbers=True)
        big.place(-3, 0.3)
        turning.place(-3, 0.3)
        corner = big.cell(0, 0).copy().set_fill(th.highlight, 0.45).set_stroke(width=0)
        turning.add(corner)
        self.cue(
            self.tr(
                "Convolution first rotates the kernel by 180°: rows and columns reversed, "
                "k_rot[i, j] = k[kH − 1 − i, kW − 1 − j]."
            )
        )
        self.play(Fade(big), run_time=0.8)
        self.add(turning)
        self.play(Glide(turning, shift=6 * RIGHT), run_time=1)
        self.play(Rotate(turning, PI), run_time=1.5)
        title = self.tr("k rotated 180° {shape}", shape=shape(*t.kernel.shape))
        rotated = Grid(t.rotated, title, th.kernel, th, cell, show_numbers=True, title_size=26)
        rotated.place(3, 0.3)
        last = rotated.cell(*(n - 1 for n in t.kernel.shape))  # where k[0, 0] landed
        rotated.add(last.copy().set_fill(th.highlight, 0.45).set_stroke(width=0))
        self.remove(turning)
        self.add(rotated)  # the same cells, the numbers upright again
        remark = label(self.tr(SYMMETRY[t.kernel_symmetric]), th.text, 26)
        remark.move_to([0, -2.4, 0])
        self.cue(remark.original_text)
        self.play(Type(remark), run_time=1.2)
        self.wait(2)
        self.big_kernels = (big, rotated, remark)

    @beat
    def show_board(self):
        t = self.trace
        x_grid = self.input_grid()
        moves = []
        bigs = self.big_kernels[:2]
        for side, big, matrix in zip(SIDES, bigs, (t.kernel, t.rotated), strict=True):
            kernel, out = self.side_grids(side, matrix)
            self.boards[side] = (kernel, out)
            centre = big.cells.get_center()  # the cells land on the board's kernel cells
            factor, shift = kernel.cells.width / big.cells.width, kernel.cells.get_center() - centre
            moves.append(Glide(big, scale=factor, about_point=centre, shift=shift))
        self.play(*moves, Fade(self.big_kernels[2], fade_in=False), run_time=1.2)
        self.remove(*bigs)
        self.headers = [self.header(side) for side in SIDES]
        kernels = [self.boards[side][0] for side in SIDES]
        outputs = [self.boards[side][1].with_numbers() for side in SIDES]
        self.add(*kernels)
        self.play(Fade(x_grid), *(Fade(h) for h in self.headers), run_time=1)
        self.play(*(Fade(o) for o in outputs), run_time=1)
        self.x_grid = x_grid
        self.cue(
            self.tr(
                "Same input, same windows. Cross-correlation x ⋆ k: {corr}. "
                "Convolution x ∗ k: {conv}.",
                corr=fmt_rows(t.out_correlation),
                conv=fmt_rows(t.out),
            )
        )
        self.wait(2.5)

    @beat
    def compare_position(self):
        t = self.trace
        corr, conv = t.correlation, t.convolution
        k = t.position
        i, j = corr.out_index[k]
        cells = [self.x_grid.cell(r, c) for r in corr.tap_rows[k] for c in corr.tap_cols[k]]
        window = merged(list(window_squares(cells, self.theme)))
        boxes = [highlight_box(self.boards[s][0].cells, self.theme) for s in SIDES]
        boxes += [highlight_box(self.boards[s][1].cell(i, j), self.theme) for s in SIDES]
        lines = []
        for sym, side in (("⋆", corr), ("∗", conv)):
            text = f"x {sym} k: out[{i}, {j}] = " + self.sum_text(side, k)
            lines += wrap_terms(text, 86)
        shown = note(lines, self.theme.text, 22, 200)
        shown.move_to([0, EQUATION_TOP - shown.height / 2, 0])
        self.cue(
            self.tr(
                "Position ({i}, {j}), the same window: {corr}; with the rotated kernel: {conv}.",
                i=i,
                j=j,
                corr=self.sum_text(corr, k),
                conv=self.sum_text(conv, k),
            )
        )
        self.play(Fade(window), *(Fade(b) for b in boxes), run_time=0.8)
        self.play(Type(shown), run_time=3)
        self.wait(3)
        self.position_marks = (window, *boxes, shown)

    @beat
    def compare_outputs(self):
        t, th = self.trace, self.theme
        self.play(*fade_out(*self.position_marks), run_time=0.6)
        total = t.correlation.n_steps
        verdict = self.tr(
            VERDICT[t.kernel_symmetric, t.outputs_equal], n=t.n_different, total=total
        )
        shown = note([verdict], th.text, 24, 80)
        shown.move_to([0, EQUATION_TOP - 0.2 - shown.height / 2, 0])
        self.cue(verdict)
        self.verdict_text = verdict
        marks = []
        if not t.outputs_equal:
            rows, cols = t.differs.nonzero()
            for side in SIDES:
                out = self.boards[side][1]
                cells = [out.cell(r, c) for r, c in zip(rows, cols, strict=True)]
                marks.append(merged(cells).set_fill(th.accent, 0.35).set_stroke(th.accent, 4))
        self.play(Type(shown), *(Fade(m) for m in marks), run_time=1.5)
        if t.outputs_equal:
            outs = [self.boards[s][1].cells for s in SIDES]
            self.play(*(Blink(merged(list(o)).set_fill(th.output, 0.4)) for o in outs))
        self.wait(3)
        self.verdict = VGroup(shown, *marks)

    @beat
    def conclude(self):
        th = self.theme
        board = [self.x_grid, *(m for side in SIDES for m in self.boards[side])]
        numbers = [self.boards[side][1].numbers for side in SIDES]
        self.play(*fade_out(*board, *numbers, *self.headers, self.verdict), run_time=0.8)
        blocks = VGroup(
            note([self.tr(CNN)], th.text, 26, 70),
            note([self.tr(SIGNAL)], th.text, 26, 70),
        ).arrange(DOWN, buff=0.55, aligned_edge=LEFT)
        blocks.move_to([0, -0.3, 0])
        for block in blocks:
            self.cue(self.tr(CNN) if block is blocks[0] else self.tr(SIGNAL))
            self.play(Type(block), run_time=2)
            self.wait(4)
        self.notes = blocks

    @beat
    def recap(self):
        """The board and the verdict again: the picture the video ends on (its poster)."""
        board = [self.x_grid, *(m for side in SIDES for m in self.boards[side])]
        numbers = [self.boards[side][1].numbers for side in SIDES]
        self.play(*fade_out(self.notes), run_time=0.6)
        self.cue(self.verdict_text)
        self.play(*(Fade(m) for m in (*board, *numbers, *self.headers, self.verdict)))
        self.wait(3)

    # -- mobjects from the trace --------------------------------------------------------

    def input_grid(self) -> Grid:
        side = self.trace.correlation
        (h, w), (hp, wp) = side.x.shape[2:], side.x_padded.shape[2:]
        title = self.tr("input x {shape}", shape=shape(h, w))
        if (hp, wp) != (h, w):
            title = self.tr(
                "input x {shape}, padded to {padded}", shape=shape(h, w), padded=shape(hp, wp)
            )
        cell = cell_size(hp, wp, 4.0, 3.8, 0.7)
        grid = Grid(side.x_padded[0, 0], title, self.theme.input, self.theme, cell, side.pad_mask)
        grid.add(grid.numbers_for(self.number_texts(side.x_padded[0, 0]), cache=self.texts))
        grid.title.scale(min(1, 4.2 / grid.title.width))
        return grid.place(INPUT_X, BOARD_Y)

    def header(self, side: str):
        """The column's name, above its kernel, inside the frame."""
        kernel = self.boards[side][0]
        text = label(self.tr(HEADERS[side]), self.theme.text, 18)
        text.next_to(kernel.title, UP, buff=0.12).set_x(kernel.cells.get_x())
        return clamp_x(text, -6.8, 6.8)

    def side_grids(self, side: str, matrix) -> tuple[Grid, Grid]:
        """The kernel (as given, or rotated) and the output of one side, in its column."""
        t, th = self.trace, self.theme
        x = COLUMN_X[SIDES.index(side)]
        values = t.out_correlation if side == "correlation" else t.out
        name = "kernel k {shape}" if side == "correlation" else "k rotated 180° {shape}"
        k_title = self.tr(name, shape=shape(*matrix.shape))
        k_cell = cell_size(*matrix.shape, 2.0, 1.5, 0.5)
        kernel = Grid(matrix, k_title, th.kernel, th, k_cell, show_numbers=True, title_size=20)
        o_title = self.tr(OUT_TITLES[side], shape=shape(*values.shape))
        o_cell = cell_size(*values.shape, 4.0, 2.1, 0.62)
        out = Grid(values, o_title, th.output, th, o_cell, title_size=20)
        out.numbers_for(self.number_texts(values), cache=self.texts)
        return kernel.place(x, KERNEL_Y), out.place(x, OUTPUT_Y)

    def number_texts(self, values) -> list[list[str]]:
        return [[fmt(v) for v in row] for row in values]

    def sum_text(self, side: ConvTrace, k: int) -> str:
        """``1·9 + 2·8 + … = 219``: window × weight, tap by tap, from the trace."""
        terms = product_terms(side.windows[0, k, 0], side.weight[0, 0])
        return equation(terms, None, side.values[0, 0, k])
