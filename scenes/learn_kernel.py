"""Learning a kernel: d2l.ai's example as a video. SGD finds the edge kernel [1, −1].

d2l's image X (6×8: white, a dark band, white) and the target Y = X ⋆ K, K = [1, −1]
(1 where white turns dark, −1 where dark turns white). A kernel w drawn with PyTorch's
default init is trained with MSE and SGD: one step written out (the gradient is a sum of
products, then w ← w − lr·g), then the loss falls and w's numbers settle on [1, −1]; the
learned kernel finally finds the same edges in a photograph. Every number comes from
:func:`convcore.learn.trace_kernel_learning`.

Render:

    manim render -ql scenes/learn_kernel.py LearnKernel
    convanim build learn-kernel --quality low
    convanim build learn-kernel --kernel-shape 3x3 --steps 60 --image photo.jpg
"""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, VGroup

from scenes.kit.anim import Fade, fade_out, flash
from scenes.kit.fmt import MINUS, fixed, fixed_factor, fmt, shape
from scenes.kit.grid import Grid, highlight_box, place_row
from scenes.kit.image import DIVERGING, grey_rgb, map_rgb
from scenes.kit.picture import Picture, PictureCamera
from scenes.kit.plot import StepPlot
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, fit_width, label, title_bar
from scenes.specs.learn_kernel import SPEC

ROW_Y = 1.5  #: centre of the top row's cells (X, K, Y and their pictures)
TOP_CELL = 0.3  #: cell edge of X and Y; a pixel of their pictures
LOWER_TOP = 0.0  #: top of the cells in the lower half
KERNEL_X, NOTE_LEFT, SPLIT_X = -5.15, -6.95, -3.05  #: the kernel column | the right region
PLOT = (-2.3, 2.9, -3.45, -0.35)  #: x0, x1, bottom, top of the loss plot
EQUATION_Y = -2.55  #: top of the step's equations
PHOTO_SIDE, PHOTO_Y = 3.0, 0.55  #: the box each photo picture fits in; its centre height
PHOTO_X = (-5.2, -1.2, 3.1)  #: centres of the photo and its two maps (bars to their right)
#: What the captions say, by beat (filled with the trace's numbers).
CUES = {
    "data": "d2l's image X: white, a dark band, white. Y = X ⋆ K with K = {k}: 1 where white "
    "turns dark, −1 where dark turns white.",
    "start": "The kernel w starts random, {init}. Can SGD find K from X and Y alone?",
    "loss": "Step {step}: ŷ = X ⋆ w; the loss is the mean of (ŷ − y)² over the {n} outputs: "
    "{loss}.",
    "grad": "The gradient of w[{i}, {j}] is a sum of products: each ŷ − y times the pixel of X "
    "it multiplies (the boxed window), times 2/{n}: {g}.",
    "update": "step(): w ← w − lr·g, w[{i}, {j}] = {before} − {lr}·{g} = {after}.",
    "train": "The same step {n} more times: the loss falls from {first} to {last}.",
    "flat": "After {steps} steps: w = {w}, close to K = {k}.",
    "tall": "After {steps} steps the loss is {loss}, but w is not K: every row of X is the "
    "same, so only each column's sum is learned: {sums} (K's: {true}).",
    "photo": "Applied to a photograph, the learned kernel finds the same vertical edges as K: "
    "the two maps differ by at most {gap}.",
}
SUBTITLE = (
    "d2l.ai · Conv2d(1, 1, {size}, bias=False) · MSE loss · SGD lr {lr} · {steps} steps · "
    "seed {seed}"
)


def kernel_text(values, number=fixed) -> str:
    """``[0.9984, −0.9984]`` (rows joined with ``; ``); ``number`` formats each entry."""
    return "[" + "; ".join(", ".join(number(v) for v in row) for row in values) + "]"


class LearnKernel(ConvScene):
    """X and Y; a random kernel; one SGD step in detail; the rest; then a photograph."""

    spec = SPEC
    title_text = "Learning a kernel"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{"camera_class": PictureCamera, **kwargs})

    def setup(self):
        super().setup()
        self.cache = TextCache()
        self.status = VGroup()

    def construct(self):
        self.show_title()
        self.show_data()
        self.show_start()
        self.show_step()
        self.train()
        self.conclude()
        self.apply_to_photo()

    # -- beats --------------------------------------------------------------------------

    @beat
    def show_title(self):
        t, size = self.trace, "({}, {})".format(*self.trace.true_kernel.shape)
        subtitle = self.tr(
            SUBTITLE, size=size, lr=fmt(t.lr, 6), steps=t.steps, seed=self.values.seed
        )
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        self.cue(self.tr("{title}: {subtitle}.", title=self.tr(self.title_text), subtitle=subtitle))
        self.play(Fade(self.title), run_time=0.8)

    @beat
    def show_data(self):
        t, th = self.trace, self.theme
        self.x_grid = self.grid(t.x, self.tr("input X {shape}"), th.input, TOP_CELL)
        self.k_grid = self.grid(t.true_kernel, self.tr("kernel K {shape}"), th.kernel, 0.42)
        y_grid = self.grid(t.target, self.tr("target Y {shape}"), th.output, TOP_CELL)
        x_pic = self.picture(grey_rgb(t.x_levels), TOP_CELL, self.tr("X as an image"))
        y_pic = self.picture(self.signed(t.target_scaled), TOP_CELL, self.tr("Y as an image"))
        place_row([self.x_grid, x_pic, self.k_grid, y_grid, y_pic], ROW_Y, gap=0.75)
        star, equals = label("⋆", th.text, 48), label("=", th.text, 34)
        star.move_to((x_pic.cells.get_right() + self.k_grid.cells.get_left()) / 2)
        equals.move_to((self.k_grid.cells.get_right() + y_grid.cells.get_left()) / 2)
        self.say("data", k=kernel_text(t.true_kernel, fmt))
        self.play(FadeIn(self.x_grid), FadeIn(x_pic), run_time=1.2)
        self.play(FadeIn(self.k_grid), Fade(star), run_time=0.8)
        self.play(Fade(equals), FadeIn(y_grid), FadeIn(y_pic), run_time=1.2)
        self.wait(3)

    @beat
    def show_start(self):
        t = self.trace
        kh, kw = t.true_kernel.shape
        cell = (1.3, 0.65) if kh == 1 else (1.05, 0.5)
        title = self.tr("kernel w {shape}", shape=shape(kh, kw))
        self.w_grid = self.kernel_grid((kh, kw), title, cell)
        self.w_grid.place_top(KERNEL_X, LOWER_TOP)
        self.w_grid.numbers_for(self.kernel_strings(0), cache=self.cache)
        init = t.init.substituted[-1]
        self.notes = self.note_lines([self.tr("PyTorch's default init:"), init])
        self.say("start", init=init)
        self.play(FadeIn(self.w_grid), Fade(self.w_grid.numbers), Fade(self.notes), run_time=1.2)
        self.set_status(0)
        self.wait(2.5)

    @beat
    def show_step(self):
        t, th, d = self.trace, self.theme, self.trace.detail
        size, kw = d.residual.shape, {"title_size": 20, "title_buff": 0.12, "widest": "−0.00"}
        title = self.tr("ŷ − y, step {step} {shape}", step=d.step + 1, shape=shape(*size))
        res = Grid(size, title, th.accent, th, (0.52, 0.36), **kw)
        prod = Grid(size, self.product_title(0), th.highlight, th, (0.52, 0.36), **kw)
        place_row([res, prod], LOWER_TOP - res.cells.height / 2, gap=1.2, width=9.3)
        for g in (res, prod):  # place_row centres the pair on x = 0
            g.shift((SPLIT_X + 7.0) / 2 * RIGHT)
        res.numbers_for([[fixed(v, 2) for v in row] for row in d.residual], cache=self.cache)
        self.say("loss", step=d.step + 1, n=d.n_outputs, loss=fixed(t.loss[d.step]))
        self.play(FadeIn(res), Fade(res.numbers), run_time=1.2)
        self.wait(2.5)
        self.play(FadeIn(prod), run_time=0.6)
        equations = VGroup()
        for k in range(len(d.taps)):
            equations = self.explain_tap(k, prod, equations)
        self.play(*self.swap_kernel(d.step + 1), run_time=0.8)
        self.set_status(d.step + 1)
        self.wait(2)
        shown = (res, res.numbers, prod, prod.numbers, *equations, self.box_x, self.box_w)
        self.play(*fade_out(*shown), run_time=0.8)

    def explain_tap(self, k: int, prod: Grid, old: VGroup) -> VGroup:
        """One kernel entry: its window of X, the products, the gradient and the update."""
        t, th, d = self.trace, self.theme, self.trace.detail
        (i, j), (top, bottom, left, right) = d.taps[k], d.window_bounds[k]
        corners = VGroup(self.x_grid.cell(top, left), self.x_grid.cell(bottom - 1, right - 1))
        box_x, box_w = highlight_box(corners, th), highlight_box(self.w_grid.cell(i, j), th)
        prod.title.become(label(self.product_title(k), th.highlight, 20).move_to(prod.title))
        n, lr, g, gf = d.n_outputs, fmt(t.lr, 6), fixed(d.grad[k]), fixed_factor(d.grad[k])
        before, after = fixed(d.before[k]), fixed(d.after[k])
        lines = [
            f"∂L/∂w[{i}, {j}] = (2/{n})·Σ (ŷ − y)·x = (2/{n})·{fixed_factor(d.sums[k])} = {g}",
            f"w[{i}, {j}] ← w − lr·g = {before} {MINUS} {lr}·{gf} = {after}",
        ]
        equations = VGroup(*(fit_width(label(s, th.text, 22), 9.6) for s in lines))
        equations.arrange(DOWN, buff=0.2).move_to([(SPLIT_X + 7.0) / 2, EQUATION_Y, 0], UP)
        if k:
            self.remove(self.box_x, self.box_w, *old, prod.numbers)
        self.box_x, self.box_w = box_x, box_w
        texts = [[fixed(v, 2) for v in row] for row in d.products[k]]
        self.say("grad", i=i, j=j, n=n, g=g)
        numbers = prod.numbers_for(texts, cache=self.cache)
        self.play(Create(box_x), Create(box_w), Fade(numbers), run_time=1.0)
        self.play(Fade(equations[0]), run_time=0.8)
        self.wait(3)
        self.say("update", i=i, j=j, before=before, lr=lr, g=gf, after=after)
        self.play(Fade(equations[1]), run_time=0.8)
        self.wait(3)
        return equations

    @beat
    def train(self):
        t, first = self.trace, self.trace.detail.step + 2
        names = self.tr("loss"), self.tr("step"), fixed(t.loss_top)
        plot = StepPlot(PLOT, t.steps, t.loss_fraction, self.theme, *names)
        title = self.tr("X ⋆ w {shape}", shape=shape(*t.target.shape))
        self.output = self.picture(self.signed(t.outputs_scaled[first - 1]), TOP_CELL, title)
        self.output.place(4.6, PLOT[3] - self.output.cells.height / 2)
        self.output.with_bar(t.target_ticks, DIVERGING[self.theme_name])
        segments = [plot.segment(e) for e in range(1, first)]
        last = t.steps - first + 1
        self.say("train", n=last, first=fixed(t.loss[0]), last=fmt(t.loss[-1], 4))
        self.play(Create(plot), FadeIn(self.output), *map(Create, segments), run_time=1.0)
        pace = min(0.4, max(0.08, 12 / t.steps))
        for e in range(first, t.steps + 1):
            self.output.repaint(self.signed(t.outputs_scaled[e]))  # snapped, like the numbers
            self.play(*self.swap_kernel(e, flashing=False), Create(plot.segment(e)), run_time=pace)
            self.set_status(e)
        self.wait(1.5)

    @beat
    def conclude(self):
        t, k = self.trace, kernel_text(self.trace.true_kernel, fmt)
        if t.true_kernel.shape[0] == 1:
            w = kernel_text(t.kernels[-1])
            self.say("flat", steps=t.steps, w=w, k=k)
            lines = [self.tr("learned w:"), w, self.tr("≈ K = {k}", k=k)]
        else:
            sums = ", ".join(fixed(v) for v in t.column_sums[-1])
            true = ", ".join(fmt(v) for v in t.true_column_sums)
            self.say("tall", steps=t.steps, loss=fmt(t.loss[-1], 4), sums=sums, true=true)
            head, tail = self.tr("w ≠ K, but its column sums"), self.tr("= K's: {true}", true=true)
            lines = [head, sums, tail]
        self.remove(self.notes)
        self.notes = self.note_lines(lines)
        flashed = flash(self.w_grid.cells, color=self.theme.highlight)
        self.play(Fade(self.notes), flashed, run_time=1.2)
        self.wait(4)

    @beat
    def apply_to_photo(self):
        t, th = self.trace, self.theme
        self.play(*(FadeOut(m) for m in self.mobjects if m is not self.title), run_time=0.8)
        pixel, colours = PHOTO_SIDE / max(t.photo.shape), DIVERGING[self.theme_name]
        below = VGroup()
        title = self.tr("photo {shape}", shape=shape(*t.photo.shape))
        pics = [self.picture(grey_rgb(t.photo_levels), pixel, title).place(PHOTO_X[0], PHOTO_Y)]
        maps = {"K": (t.photo_target, fmt), "w": (t.photo_learned, fixed)}
        for x, (name, (m, number)) in zip(PHOTO_X[1:], maps.items(), strict=True):
            title = self.tr("photo ⋆ {name} {shape}", name=name, shape=shape(*m.shape))
            pics.append(self.picture(self.signed(m.scaled), pixel, title).place(x, PHOTO_Y))
            pics[-1].with_bar(m.ticks, colours)
            kernel = self.tr("kernel {name}", name=name)
            grid = self.kernel_grid(m.kernel.shape, kernel, (1.15, 0.48), title_buff=0.1)
            grid.place_top(x, pics[-1].cells.get_bottom()[1] - 0.6)
            texts = [[number(v) for v in row] for row in m.kernel]
            below.add(grid, grid.numbers_for(texts, cache=self.cache))
        gap = self.tr("the two maps differ by at most {gap}", gap=fixed(t.photo_gap))
        below.add(label(gap, th.text, 24).move_to([0, -3.55, 0]))
        self.say("photo", gap=fixed(t.photo_gap))
        self.play(*(FadeIn(p) for p in pics), run_time=1.2)
        self.play(Fade(below), run_time=0.8)
        self.wait(5)

    # -- helpers ------------------------------------------------------------------------

    def say(self, key: str, **values) -> None:
        """Start the caption ``CUES[key]`` with ``values`` filled in."""
        self.cue(self.tr(CUES[key], **values))

    def grid(self, values, template: str, color: str, cell: float) -> Grid:
        """A grid of ``values`` with every number, titled ``template`` with its shape."""
        title = template.format(shape=shape(*values.shape))
        kwargs = {"show_numbers": True, "title_size": 20, "title_buff": 0.12}
        return Grid(values, title, color, self.theme, cell, **kwargs)

    def kernel_grid(self, size, title: str, cell, **kwargs) -> Grid:
        """A grid of ``size`` for a kernel's numbers (to four decimals, signed)."""
        th = self.theme
        return Grid(size, title, th.kernel, th, cell, title_size=20, widest="−0.0000", **kwargs)

    def kernel_strings(self, e: int) -> list[list[str]]:
        return [[fixed(v) for v in row] for row in self.trace.kernels[e]]

    def swap_kernel(self, e: int, flashing: bool = True) -> list:
        """Snap w's numbers to ``kernels[e]`` (old Texts out, new ones in)."""
        self.remove(self.w_grid.numbers)
        self.add(self.w_grid.numbers_for(self.kernel_strings(e), cache=self.cache))
        return [flash(self.w_grid.cells, color=self.theme.highlight)] if flashing else []

    def set_status(self, e: int) -> None:
        """``step e/E`` and ``loss …`` under the kernel, snapped."""
        t, th = self.trace, self.theme
        self.remove(self.status)
        step = self.tr("step {e}/{steps}", e=e, steps=t.steps)
        loss = self.tr("loss {loss}", loss=fmt(t.loss[e], 4))
        self.status = VGroup(*(self.cache.line(s, 22, th.text) for s in (step, loss)))
        self.status.arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        self.status.next_to(self.w_grid.cells, DOWN, buff=0.25).set_x(NOTE_LEFT, LEFT)
        self.add(self.status)

    def note_lines(self, lines) -> VGroup:
        """Muted lines in the kernel column, below the status lines."""
        width = SPLIT_X - NOTE_LEFT - 0.2
        group = VGroup(*(fit_width(label(s, self.theme.muted, 20), width) for s in lines))
        group.arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        top = self.w_grid.cells.get_bottom()[1] - 1.1
        return group.move_to([NOTE_LEFT, top, 0], UP + LEFT)

    def product_title(self, k: int) -> str:
        d = self.trace.detail
        top, bottom, left, right = d.window_bounds[k]
        return f"(ŷ − y)·X[{top}:{bottom}, {left}:{right}] {shape(*d.residual.shape)}"

    def signed(self, scaled):
        return map_rgb(scaled, self.theme_name)

    def picture(self, rgb, pixel: float, title: str) -> Picture:
        return Picture(rgb, pixel, title, self.theme)
