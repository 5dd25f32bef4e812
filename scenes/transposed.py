"""A transposed convolution two ways: kernel copies scattered, added and cropped; then the
same output as a direct convolution over the stretched, padded input with the kernel
rotated 180°. Render the default (2×2 input, 3×3 kernel 1..9, stride 2, padding 1,
output_padding 1 → 4×4):

    manim render -ql scenes/transposed.py TransposedConvolution
    convanim build transposed --quality low
    convanim build transposed --input "1 -1; 2 0" --kernel "1 2; 3 4" --output-padding 0
"""

from __future__ import annotations

from manim import RIGHT, Create, VGroup

from scenes.kit.anim import Fade, Fly, Glide, Type, fade_out_shown, flash, move_marks
from scenes.kit.fmt import (
    DOT,
    equation,
    fmt,
    fmt_factor,
    fmt_pair,
    product_terms,
    shape,
    size_formula,
    size_lines,
    transposed_size_formula,
)
from scenes.kit.grid import Grid, cell_size, cover, highlight_box, widest, window_squares
from scenes.kit.note import Note
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, label, note, title_bar, wrap_terms
from scenes.specs.transposed import SPEC

TOP = 2.05  # top edge of the grids' cells (their titles above it)
HEIGHT = 4.3  # room for cells below TOP
RIGHT_EDGE = 6.8  # grids stay left of this (and right of −RIGHT_EDGE) …
GAP = 0.4  # … and at least this far apart in a row


class TransposedConvolution(ConvScene):
    """Scatter (each input value × kernel, added), crop; then the equal direct convolution."""

    spec = SPEC
    slow_steps = 2  # scatter steps shown with their products written out
    slow_positions = 2  # direct-convolution positions shown with their equation
    fast_drawing = True
    title_text = "Transposed convolution"

    def setup(self):
        super().setup()
        self.texts, self.note = TextCache(), Note(self)
        self.block, self.marks, self.full_numbers = None, [], {}
        t = self.trace
        grids = {"input": t.x, "full": t.full, "extended": t.extended, "padded": t.x_direct}
        self.words = {k: shape(*a.shape[2:]) for k, a in grids.items()}
        pairs = ("stride", "padding", "output_padding", "dilation")
        self.words |= {k: fmt_pair(getattr(t, k)) for k in pairs}
        self.words |= {"kernel": shape(*t.kernel_size), "out": shape(*t.out_shape)}
        self.words["stretched"] = shape(t.size_h.stretched, t.size_w.stretched)

    def tr(self, template: str, **values) -> str:
        """``template`` translated, with :attr:`words` (the values templates name) and
        ``values`` filled in."""
        return super().tr(template, **{**getattr(self, "words", {}), **values})

    def construct(self):
        self.show_title()
        self.show_scatter_grids()
        for k in range(self.trace.n_steps):
            self.scatter(k, slow=k < self.slow_steps)
        self.crop()
        self.explain_output_size()
        self.show_direct_input()
        self.rotate_kernel()
        for k in range(len(self.trace.direct.positions)):
            self.direct_position(k, slow=k < self.slow_positions)
        self.compare()

    # -- beats ------------------------------------------------------------------------

    @beat
    def show_title(self):
        self.words["settings"] = self.tr(
            "stride {stride}, padding {padding}, output_padding {output_padding}, "
            "dilation {dilation}"
        )
        subtitle = self.tr("as PyTorch's ConvTranspose2d · {settings}")
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        self.play(Fade(self.title), run_time=0.8)
        self.cue(
            self.tr(
                "Transposed convolution of a {input} input with a {kernel} kernel ({settings})."
            )
        )

    @beat
    def show_scatter_grids(self):
        t, th = self.trace, self.theme
        (h, w), (kh, kw) = t.x.shape[2:], t.kernel_size
        (hf, wf), (he, we) = t.full.shape[2:], t.extended.shape[2:]
        cell = min(cell_size(h, w, 2.6, 1.7, 0.75), cell_size(kh, kw, 2.6, 2.1, 0.75))
        self.input_grid = self.grid(t.x[0, 0], self.tr("input {input}"), th.input, cell)
        self.kernel_grid = self.grid(t.weight[0, 0], self.tr("kernel {kernel}"), th.kernel, cell)
        self.input_grid.place_top(-5.4, TOP)
        self.kernel_grid.place_top(-5.4, self.input_grid.cells.get_bottom()[1] - 0.75)
        title = self.tr("full output + output_padding: {extended}")
        cell = cell_size(he, we, 6.8, HEIGHT, 0.75)
        mask = [[r >= hf or c >= wf for c in range(we)] for r in range(he)]
        font = {"widest": widest(t.running, t.extended), "max_font": 30}
        self.board = Grid((he, we), title, th.output, th, cell, mask=mask, **font)
        self.board.place_top(3.3, TOP)
        self.full_cells = VGroup(*(self.board.cell(r, c) for r in range(hf) for c in range(wf)))
        full = self.tr("full output {full} (before the crop)")
        self.full_title = label(full, th.output, 22).move_to(self.board.title)
        self.play(
            *(Fade(g.with_numbers()) for g in (self.input_grid, self.kernel_grid)),
            Create(self.full_cells),
            Fade(self.full_title),
            run_time=1.5,
        )
        self.note.say(
            self.tr(
                "Each input value scales a copy of the kernel; the copies land {stride} cells "
                "apart and add up where they overlap."
            )
        )
        self.wait(1.5)

    @beat
    def scatter(self, k: int, slow: bool):
        t, th = self.trace, self.theme
        (i, j), value = t.in_index[k], t.in_values[0, k, 0]
        self.words.update(i=i, j=j, value=fmt(value), r=t.origins[k][0], c=t.origins[k][1])
        taps = [(r, c) for r in t.tap_rows[k] for c in t.tap_cols[k]]
        title = self.tr("x[{i}, {j}]{dot}kernel", dot=DOT)
        block = self.grid(t.blocks[0, k, 0], title, th.output, self.kernel_grid.cell_size)
        block.place_top(-2.1, self.kernel_grid.cells.get_top()[1])
        window = window_squares([self.board.cell(*rc) for rc in taps], th)
        marks = highlight_box(self.input_grid.cell(i, j), th), window
        self.marks, moves = move_marks(self, self.marks if k else [], marks)
        if k:  # the last copy goes
            moves += fade_out_shown(self, self.block, self.block.numbers)
        self.head = self.tr(
            "x[{i}, {j}] = {value}: {value} × kernel added with its top-left at full[{r}, {c}]"
        )
        told = self.note.say(self.head, play=False)
        shown = VGroup(block) if slow else block.with_numbers()
        self.play(*moves, Fade(shown), *told, run_time=0.9 if slow else 0.5)
        if slow:  # the products written out, then their values
            terms = [f"{fmt_factor(value)}{DOT}{fmt_factor(w)}" for w in t.weight[0, 0].ravel()]
            written = block.write(terms, th.text, self.texts)
            self.play(Type(written), run_time=1.2)
            self.wait(0.6)
            self.remove(written)
            self.add(block.numbers)
            self.wait(0.5)
        self.block = block
        self.land_block(k, taps, slow)

    def land_block(self, k: int, taps, slow: bool):
        """The block's values fly onto the board; overlapped cells show their running sums."""
        t, size = self.trace, self.board.font_size
        flying = [
            self.texts.text(n.original_text, size, self.theme.output).move_to(self.board.cell(*rc))
            for n, rc in zip(self.block.numbers, taps, strict=True)
        ]
        fly = Fly(VGroup(*flying), flying, self.block.numbers, lag_ratio=0.05, remover=True)
        self.play(fly, run_time=1.2 if slow else 0.7)
        sums = []
        for (r, c), added in zip(taps, t.blocks[0, k, 0].ravel(), strict=True):
            if (r, c) in self.full_numbers:  # an earlier copy landed here: a running sum
                before, after = t.running[0, k - 1, 0, r, c], t.running[0, k, 0, r, c]
                sums.append(f"full[{r}, {c}]: {fmt(before)} + {fmt_factor(added)} = {fmt(after)}")
            self.set_full(r, c, t.running[0, k, 0, r, c])
        if sums:  # three a line, two lines at most
            lines = [self.head, f"{self.tr('overlaps add up:')} {', '.join(sums[:3])}"]
            if len(sums) > 3:
                lines.append(", ".join(sums[3:6]) + (", …" if len(sums) > 6 else ""))
            self.note.say(*lines)
        self.wait(1.8 if sums and slow else 1.0 if sums else 0.5)

    @beat
    def crop(self):
        t, th = self.trace, self.theme
        grids = (self.input_grid, self.kernel_grid, self.block)
        self.note.clear(*(g.with_numbers() for g in grids), *self.marks, run_time=0.6)
        shift = -RIGHT_EDGE - min(self.board.get_left()[0], self.full_title.get_left()[0])
        numbers = self.full_numbers.values()
        self.play(Glide(self.board, self.full_title, *numbers, shift=[shift, 0, 0]), run_time=1)
        (hf, wf), (he, we) = t.full.shape[2:], t.extended.shape[2:]
        cells = [(r, c) for r in range(he) for c in range(we)]
        new = [rc for rc in cells if rc not in self.full_numbers]
        new = VGroup(*(self.set_full(*rc, t.extended[0, 0][rc], False) for rc in new))
        extra = VGroup(*(self.board.cell(r, c) for r, c in cells if r >= hf or c >= wf))
        swap = Fade(self.full_title, fade_in=False), Fade(self.board.title)
        self.play(Fade(extra), Fade(new), *swap, run_time=1)
        self.remove(self.full_cells, extra, self.board.title, new)
        self.add(self.board, *self.full_numbers.values())  # one board, its numbers on top
        r0, r1, c0, c1 = t.out_box
        kept = [(r, c) for r, c in cells if r0 <= r < r1 and c0 <= c < c1]
        box = highlight_box(VGroup(*(self.board.cell(*rc) for rc in kept)), th)
        shade = VGroup(*(cover(self.board.cell(*rc), th) for rc in cells if rc not in kept))
        left = self.board.cells.get_right()[0] + 0.6
        room = cell_size(*t.out_shape, RIGHT_EDGE - left, HEIGHT, 0.75)
        cell = min(self.board.cell_size * 1.15, room)
        self.output = self.grid(t.out[0, 0], self.tr("output {out}"), th.output, cell)
        self.output.place_top((left + RIGHT_EDGE) / 2, TOP)
        self.note.say(
            self.tr(
                "output_padding {output_padding} adds zero rows/columns at the bottom/right; "
                "padding {padding} crops {padding} from each side: {extended} → {out}"
            ),
            self.tr(
                "(stride-{stride} convolutions of {stride} neighbouring sizes give the same "
                "{input} output: output_padding picks one)"
            ),
        )
        self.play(Create(box), Fade(shade), run_time=1)
        numbers, sources = self.output.numbers, [self.full_numbers[rc] for rc in kept]
        fly = Fly(numbers, list(numbers), sources, lag_ratio=0.02)
        self.play(Fade(self.output), fly, run_time=1.5)
        self.wait(2)

    @beat
    def explain_output_size(self):
        general, numbers = size_lines(transposed_size_formula, self.trace.size_h, self.trace.size_w)
        self.note.clear(run_time=0.4)
        self.note.lines = self.note.place(note([general, *numbers], self.theme.text, 26))
        self.cue(self.tr("Output size: {lines}", lines="; ".join(numbers)))
        self.play(Type(self.note.lines[0]), run_time=1.2)
        self.play(Fade(self.note.lines[1:]), run_time=0.8)
        self.wait(2.5)

    @beat
    def show_direct_input(self):
        t, th = self.trace, self.theme
        self.note.clear(*(m for m in self.mobjects if m is not self.title))
        self.direct_grids()
        numbers = self.direct_input.numbers
        gaps, pads, landing, sources = VGroup(), VGroup(), [], []
        for n, src in enumerate(t.direct_source.ravel()):
            if src >= 0:
                landing.append(numbers[n])
                sources.append(self.input_grid.number(*t.in_index[src]))
            elif src == -1:
                gaps.add(numbers[n].set_color(th.muted))
                self.direct_input.cells[n].set_fill(opacity=0)
            else:
                pads.add(numbers[n])
        self.play(Fade(self.input_grid), Fade(self.input_grid.numbers), run_time=0.6)
        self.note.say(
            self.tr(
                "The same output as a direct convolution. Stride {stride}: the input cells "
                "{stride} apart, zeros between them: {input} → {stretched}."
            )
        )
        self.play(Create(self.direct_input.cells), Fade(self.direct_input.title), run_time=1)
        self.play(Fly(VGroup(*landing), landing, sources, lag_ratio=0.1), run_time=1.2)
        if len(gaps):
            self.play(Fade(gaps), run_time=0.5)
        self.note.say(*self.pads_lines())
        if len(pads):
            self.play(Fade(pads), run_time=0.6)
        self.wait(2)

    @beat
    def rotate_kernel(self):
        (kh, kw), kernel, rotated = self.trace.kernel_size, self.kernel_grid, self.rotated
        self.note.say(self.tr("… and the kernel rotated by 180°."))
        self.play(Fade(kernel), Fade(kernel.numbers), run_time=0.6)
        self.wait(0.4)
        flipped = [kernel.number(kh - 1 - a, kw - 1 - b) for a in range(kh) for b in range(kw)]
        self.remove(kernel.numbers)
        turn = Fly(rotated.numbers, list(rotated.numbers), flipped)
        self.play(turn, Fade(kernel.title, fade_in=False), Fade(rotated.title), run_time=1.5)
        self.remove(kernel, kernel.cells)
        self.add(rotated.cells)
        self.kernel_grid, d = rotated, self.trace.direct
        formula = "; ".join(size_lines(size_formula, d.size_h, d.size_w)[1])
        self.note.say(self.tr("Slide it at stride 1: {formula}", formula=formula))
        output = self.direct_output
        self.play(Create(output.cells), Fade(output.title), run_time=1)
        self.wait(1.5)

    @beat
    def direct_position(self, k: int, slow: bool):
        th, d = self.theme, self.trace.direct
        i, j = d.out_index[k]
        taps = [self.direct_input.cell(r, c) for r in d.tap_rows[k] for c in d.tap_cols[k]]
        marks = window_squares(taps, th), highlight_box(self.direct_output.cell(i, j), th)
        self.marks, moves = move_marks(self, self.marks if k else [], marks)
        self.play(*moves, run_time=0.8 if k == 0 else 0.6 if slow else 0.3)
        text = equation(product_terms(d.windows[0, k, 0], d.weight[0, 0]), None, d.values[0, 0, k])
        cue = self.tr("Position ({i}, {j}): {equation}", i=i, j=j, equation=text)
        number = self.direct_output.number(i, j)
        if not slow:
            if k == self.slow_positions:
                self.note.clear(run_time=0.3)
            self.add(number)
            self.cue(cue)
            self.wait(0.25)
            return
        self.note.say(*wrap_terms(f"out[{i}, {j}] = " + text[: text.rindex("=") + 1], 72), cue=cue)
        result = self.texts.text(fmt(d.values[0, 0, k]), 26, th.output, "BOLD")
        self.play(
            Fade(result.next_to(self.note.lines[-1], RIGHT, buff=0.15), scale=1.4), run_time=0.5
        )
        self.play(Fly(number, [number], [result]), run_time=0.8)
        self.remove(result)
        self.wait(1)

    @beat
    def compare(self):
        t, th, output = self.trace, self.theme, self.direct_output
        keep = {self.title, output.cells, output.title, *output.numbers}
        self.note.clear(*(m for m in self.mobjects if m not in keep))
        title = self.tr("scatter, added, cropped: {out}")
        self.scatter_output = self.grid(t.out[0, 0], title, th.output, output.cell_size)
        self.scatter_output.place_top(-3.2, TOP)
        self.play(Glide(output, output.numbers, shift=[3.2 - output.cells.get_center()[0], 0, 0]))
        equals = label("=", th.text, 48).move_to([0, output.cells.get_center()[1], 0])
        direct = label(self.tr("direct convolution: {out}"), th.output, 22).move_to(output.title)
        swap = Fade(output.title, fade_in=False), Fade(direct)
        self.play(Fade(self.scatter_output.with_numbers()), Fade(equals), *swap, run_time=1)
        self.note.say(
            self.tr(
                "Both give the same {out} output: adding up scaled kernel copies is a "
                "convolution of the stretched, padded input with the rotated kernel."
            )
        )
        flashes = (flash(g.cells, color=th.output) for g in (self.scatter_output, output))
        self.play(*flashes)
        self.wait(2.5)

    # -- mobjects from the trace --------------------------------------------------------

    def direct_grids(self):
        """Input, stretched and padded input, kernel (the rotated one in its place), output:
        in one row, at least GAP apart (the cells shrink until they fit)."""
        t, th = self.trace, self.theme
        stretched = self.tr("stretched to {stretched}, padded to {padded}")
        rows = (
            (t.x, self.tr("input {input}"), th.input, None),
            (t.x_direct, stretched, th.input, t.direct_pad_mask),
            (t.weight, self.tr("kernel {kernel}"), th.kernel, None),
            (t.weight_rotated, self.tr("kernel rotated 180°"), th.kernel, None),
            (t.direct.out, self.tr("output {out}"), th.output, None),
        )
        title_w = [label(title, th.text, 22).width for _, title, _, _ in rows]

        def widths(cell):  # the rotated kernel takes the kernel's place
            w = [max(tw, v.shape[3] * cell) for tw, (v, *_) in zip(title_w, rows, strict=True)]
            return [w[0], w[1], max(w[2], w[3]), w[4]]

        cell = cell_size(*t.x_direct.shape[2:], 5.0, HEIGHT, 0.7)
        while sum(widths(cell)) + 3 * GAP > 2 * RIGHT_EDGE:
            cell *= 0.92
        grids = [self.grid(v[0, 0], title, color, cell, mask) for v, title, color, mask in rows]
        x, gap = -RIGHT_EDGE, (2 * RIGHT_EDGE - sum(widths(cell))) / 3
        for g, w in zip((*grids[:3], grids[4]), widths(cell), strict=True):
            g.place_top(x + w / 2, TOP)
            x += w + gap
        grids[3].place_top(grids[2].cells.get_center()[0], TOP)
        self.input_grid, self.direct_input, self.kernel_grid, self.rotated = grids[:4]
        self.direct_output = grids[4]

    def pads_lines(self) -> list[str]:
        """The padding of the direct view, with the formula's numbers (rows, columns)."""
        t = self.trace
        fields = ("kernel", "padding", "dilation", "output_padding")
        sides = [(t.size_h, "top/left", "bottom/right")]
        if any(getattr(t.size_h, f) != getattr(t.size_w, f) for f in fields):
            sides = [(t.size_h, "top", "bottom"), (t.size_w, "left", "right")]
        return [
            self.tr(
                "padding D·(K − 1) − P = {dilation}·({kernel} − 1) − {padding} = {before} at the "
                "{start}; {before} + output_padding {output_padding} = {after} at the {end}",
                **vars(terms),
                before=fmt(terms.direct_pad_before),
                after=fmt(terms.direct_pad_after),
                start=self.tr(start),
                end=self.tr(end),
            )
            for terms, start, end in sides
        ]

    def grid(self, values, title: str, color: str, cell: float, mask=None) -> Grid:
        """A grid of ``values``, its numbers built through the text cache (not added)."""
        g = Grid(values, title, color, self.theme, cell, mask=mask)
        g.fmt_numbers(self.texts)
        return g

    def set_full(self, r: int, c: int, value: float, add: bool = True):
        """Snap the board's number at (r, c) to ``value``; return the new Text."""
        if (r, c) in self.full_numbers:
            self.remove(self.full_numbers[r, c])
        number = self.texts.text(fmt(value), self.board.font_size, self.theme.text)
        self.full_numbers[r, c] = number.move_to(self.board.cell(r, c))
        if add:
            self.add(number)
        return number
