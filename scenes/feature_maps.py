"""A photograph through well-known kernels: a patch window by window, the whole feature map
as a picture with its colour bar, the map after ReLU, and several kernels side by side.

    manim render -ql scenes/feature_maps.py FeatureMaps
    convanim build feature-maps --quality low --kernel laplacian --image photo.jpg
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, FadeOut, Group, VGroup

from scenes.kit.anim import Fade, Fly, Glide, Type, fade_out
from scenes.kit.fmt import equation, fmt, product_terms, shape
from scenes.kit.grid import Grid, cell_size, highlight_box, widest, window_squares
from scenes.kit.image import DIVERGING, grey_rgb, map_rgb
from scenes.kit.picture import Picture, PictureCamera, picture, pixel_box, zoom_lines
from scenes.kit.scene import ConvScene, beat
from scenes.kit.text import TextCache, fit_width, label, title_bar, wrap_terms
from scenes.specs.feature_maps import SPEC

PANEL = 3.4  # side of the box a picture fits in
PANEL_Y = -0.15
CAPTION_Y = -3.55


class FeatureMaps(ConvScene):
    """One kernel over a photograph, then the whole map, its ReLU, and other kernels."""

    spec = SPEC
    title_text = "Feature maps of a photograph"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{"camera_class": PictureCamera, **kwargs})

    def construct(self):
        self.cache = TextCache()
        self.show_title()
        self.show_image()
        self.zoom_patch()
        self.work_patch()
        self.show_map()
        self.show_relu()
        self.compare_kernels()
        self.conclude()

    # -- beats -------------------------------------------------------------------------

    @beat
    def show_title(self):
        t = self.trace
        subtitle = self.tr(
            "kernel {name} · image {shape}, grey levels 0–255 · no padding, stride 1",
            name=self.named(t.main.name),
            shape=shape(*t.image.shape),
        )
        self.title = title_bar(self.tr(self.title_text), self.theme, subtitle)
        self.play(Fade(self.title), run_time=0.8)
        self.cue(self.tr("{title}: {subtitle}.", title=self.tr(self.title_text), subtitle=subtitle))

    @beat
    def show_image(self):
        t = self.trace
        title = self.tr("image {shape}", shape=shape(*t.image.shape))
        self.photo = self.panel(grey_rgb(t.image), title, -5.0)
        self.play(FadeIn(self.photo.image), Fade(self.photo.title), run_time=1)
        self.cue(
            self.tr(
                "The photograph in grey, {shape} pixels: 0 is black, 255 is white.",
                shape=shape(*t.image.shape),
            )
        )
        self.wait(1)

    @beat
    def zoom_patch(self):
        t, p, th = self.trace, self.trace.patch, self.theme
        (top, left), (ph, pw) = t.patch_origin, p.x.shape[2:]
        self.patch_mark = pixel_box(self.photo.image, t.image.shape, top, left, ph, pw, th)
        title = self.tr("patch {shape} at ({row}, {col})", shape=shape(ph, pw), row=top, col=left)
        cell = cell_size(ph, pw, 3.1, 3.1, 0.62)
        self.patch_grid = Grid(p.x[0, 0], title, th.input, th, cell, show_numbers=True)
        self.shade_cells(self.patch_grid.place(-0.75, 0.3), p.x[0, 0])
        kh, kw = p.kernel_size
        name = self.named(t.main.name)
        title = self.tr("kernel {name} {shape}", name=name, shape=shape(kh, kw))
        cell = cell_size(kh, kw, 1.9, 1.9, 0.62)
        self.kernel_grid = self.kernel_grid_for(p.weight[0, 0], title, cell).place(2.45, 0.3)
        fit_width(self.kernel_grid.title, 2.9).next_to(self.kernel_grid.cells, UP, buff=0.1)
        oh, ow = p.out_shape
        title = self.tr("feature map {shape}", shape=shape(oh, ow))
        cell, most = cell_size(oh, ow, 2.7, 2.7, 0.9), widest(p.out)
        out = Grid((oh, ow), title, th.output, th, cell, widest=most, max_font=24).place(5.45, 0.3)
        out.numbers_for([[fmt(v) for v in row] for row in p.out[0, 0]], cache=self.cache)
        at = self.tr("at ({row}, {col})", row=top, col=left)
        self.out_grid = out
        self.out_note = label(at, th.muted, 20).next_to(out.cells, DOWN, buff=0.15)
        self.zoom_lines = zoom_lines(self.patch_mark, self.patch_grid.cells, th)
        self.play(Create(self.patch_mark), run_time=0.6)
        self.play(Create(self.zoom_lines), Fade(self.patch_grid), run_time=1)
        self.play(Fade(self.kernel_grid), Create(out), Fade(self.out_note), run_time=1)
        chosen = self.values.patch is not None
        where = self.tr("you chose" if chosen else "around the strongest response")
        self.cue(
            self.tr(
                "A {patch} patch ({where}) and the {name} kernel.",
                patch=shape(ph, pw),
                where=where,
                name=name,
            )
        )

    @beat
    def work_patch(self):
        for k in range(self.trace.patch.n_steps):
            self.compute_position(k, slow=k == 0)

    def compute_position(self, k: int, slow: bool):
        p = self.trace.patch
        i, j = p.out_index[k]
        cells = [self.patch_grid.cell(r, c) for r in p.tap_rows[k] for c in p.tap_cols[k]]
        window = window_squares(cells, self.theme)
        out_box = highlight_box(self.out_grid.cell(i, j), self.theme)
        text = equation(product_terms(p.windows[0, k, 0], p.weight[0, 0]), None, p.values[0, 0, k])
        self.cue(self.tr("Position ({i}, {j}): {equation}", i=i, j=j, equation=text))
        chars = 48 if p.products[0, 0, 0].size <= 9 else 80
        lines = wrap_terms(f"out[{i}, {j}] = " + text[: text.rindex("=") + 1], chars)
        eq = VGroup(*(self.cache.line(s, 22, self.theme.text) for s in lines))
        eq.arrange(DOWN, buff=0.14, aligned_edge=LEFT)
        result = self.cache.text(fmt(p.values[0, 0, k]), 26, self.theme.output, "BOLD")
        eq.add(result.next_to(eq[-1], RIGHT, buff=0.18))
        if eq.width > 9.0:
            eq.scale_to_fit_width(9.0)
        if eq.height > 1.7:
            eq.scale_to_fit_height(1.7)
        eq.move_to([2.35, -2.5, 0])
        if hasattr(self, "window"):
            self.bring_to_front(self.window, self.out_box)
            self.play(Glide(self.window, to=window), Glide(self.out_box, to=out_box), run_time=0.35)
            self.remove(self.equation)
        else:
            self.window, self.out_box = window, out_box
            self.kernel_box = highlight_box(self.kernel_grid.cells, self.theme)
            self.play(Create(window), Create(self.kernel_box), Create(out_box), run_time=0.8)
        self.equation = eq
        number = self.out_grid.number(i, j)
        if slow:
            self.play(Type(eq), run_time=2.5)
            self.play(Fly(number, [number], [result]), run_time=0.8)
            self.wait(0.5)
        else:
            self.add(eq)
            self.play(Fade(number), run_time=0.3)
            self.wait(0.2)

    @beat
    def show_map(self):
        t, m = self.trace, self.trace.main
        self.play(
            *fade_out(self.patch_grid, self.kernel_grid, self.out_grid, self.out_grid.numbers),
            *fade_out(self.window, self.kernel_box, self.out_box, self.equation, self.out_note),
            *fade_out(self.zoom_lines),
            run_time=0.8,
        )
        title = self.tr(
            "feature map {shape} ({name})", shape=shape(*m.shape), name=self.named(m.name)
        )
        stats = self.tr("min {low}, max {high}", low=fmt(m.minimum), high=fmt(m.maximum))
        self.map_panel = self.map_panel_for(m.scaled, m.ticks, -0.95, title, stats)
        top, left = t.patch_origin
        block = pixel_box(self.map_panel.image, m.shape, top, left, *t.patch.out_shape, self.theme)
        self.play(*self.panel_in(self.map_panel), run_time=1)
        self.play(Create(block), Fade(self.map_panel.stats), run_time=0.8)
        self.cue(
            self.tr(
                "The whole feature map, {shape}: from {low} to {high}; the colours run from "
                "{bottom} through 0 to {top}.",
                shape=shape(*m.shape),
                low=fmt(m.minimum),
                high=fmt(m.maximum),
                bottom=fmt(m.ticks[0]),
                top=fmt(m.ticks[-1]),
            )
        )
        self.wait(1.5)
        self.play(FadeOut(block), FadeOut(self.patch_mark), run_time=0.4)

    @beat
    def show_relu(self):
        m = self.trace.main
        note = self.tr(
            "{n} negative values → 0 ({share})", n=m.zeroed, share=f"{m.zeroed_fraction:.0%}"
        )
        title = self.tr("ReLU(feature map)")
        self.relu_panel = self.map_panel_for(m.relu_scaled, m.relu_ticks, 3.55, title, note)
        self.play(*self.panel_in(self.relu_panel), run_time=1)
        self.play(Fade(self.relu_panel.stats), run_time=0.6)
        self.cue(self.tr("ReLU keeps the positive responses: {note}.", note=note))
        self.wait(2)

    @beat
    def compare_kernels(self):
        t, th = self.trace, self.theme
        photo, maps = self.photo, (self.map_panel, self.relu_panel)
        shown = (photo.image, *(m for panel in maps for m in (panel.image, panel.bar)))
        notes = (photo.title, *(m for panel in maps for m in (panel.title, panel.stats)))
        self.play(FadeOut(Group(*shown)), *fade_out(*notes), run_time=0.8)
        n = len(t.compare) + 1
        side = min(3.0, (13.4 - 0.35 * (n - 1)) / n)
        rgbs = [grey_rgb(t.image), *(map_rgb(f.scaled, self.theme_name) for f in t.compare)]
        panels = [picture(rgb, side / max(t.image.shape)) for rgb in rgbs]
        row = Group(*panels).arrange(RIGHT, buff=0.35).move_to([0, 0.55, 0])
        labels = [self.above(panels[0], self.tr("image"), 22)]
        grids = VGroup(label(self.tr("grey levels 0 … 255"), th.muted, 18))
        grids[0].next_to(panels[0], DOWN, buff=0.12)
        for f, panel in zip(t.compare, panels[1:], strict=True):
            labels.append(self.above(panel, f.name, 22))
            low, _, high = f.ticks
            scale = self.tr("colours {low} … {high}", low=fmt(low), high=fmt(high))
            note = fit_width(label(scale, th.muted, 18), panel.width + 0.1)
            grids.add(note.next_to(panel, DOWN, buff=0.12))
            title = self.tr("kernel {shape}", shape=shape(*f.kernel.shape))
            grid = self.kernel_grid_for(f.kernel, title, 0.46, 18)
            grids.add(grid.place_top(panel.get_center()[0], grids[-1].get_bottom()[1] - 0.45))
        self.compare_labels, self.compare_notes = labels, grids
        self.play(FadeIn(row), *(Fade(x) for x in labels), run_time=1.2)
        self.play(Fade(grids), run_time=1)
        self.cue(
            self.tr(
                "One image, {n} kernels: {names}. Each map has its own colour scale.",
                n=len(t.compare),
                names=", ".join(f.name for f in t.compare),
            )
        )
        self.wait(2.5)

    @beat
    def conclude(self):
        text = self.tr("Each kernel responds to its own pattern: a feature map shows where it is.")
        summary = label(text, self.theme.text, 24).move_to([0, CAPTION_Y, 0])
        self.play(Fade(summary), run_time=0.8)
        self.cue(text)
        self.wait(2)

    # -- mobjects from the trace --------------------------------------------------------

    def panel(self, rgb, title: str, x: float) -> Picture:
        """A picture at the image's pixel size, centred on (x, PANEL_Y), titled above."""
        pixel = PANEL / max(self.trace.image.shape)
        pic = Picture(rgb, pixel, title, self.theme, framed=False, size=22, buff=0.18)
        return pic.place(x, PANEL_Y)

    def map_panel_for(self, scaled, ticks, x: float, title: str, stats: str) -> Picture:
        """A map's :meth:`panel` with its colour bar, and ``stats`` below it."""
        pic = self.panel(map_rgb(scaled, self.theme_name), title, x)
        pic.with_bar(ticks, DIVERGING[self.theme_name])
        pic.stats = label(stats, self.theme.muted, 20).next_to(pic.image, DOWN, buff=0.2)
        return pic

    def panel_in(self, pic: Picture) -> list:
        return [FadeIn(pic.image), FadeIn(pic.bar), Fade(pic.title)]

    def kernel_grid_for(self, kernel, title: str, cell: float, size: float = 22) -> Grid:
        """A kernel's grid with every weight (four decimals: the blur's 0.0625)."""
        texts = [[fmt(v, 4) for v in row] for row in kernel]
        longest = max((s for row in texts for s in row), key=len)
        kwargs = {"title_size": size, "title_buff": 0.1, "widest": longest}
        grid = Grid(kernel.shape, title, self.theme.kernel, self.theme, cell, **kwargs)
        grid.add(grid.numbers_for(texts, cache=self.cache))
        return grid

    def named(self, name: str) -> str:
        """A kernel's name on screen: the table's names as typed, a matrix "custom"."""
        return self.tr("custom") if name == "custom" else name

    def above(self, mob, text: str, size: float = 22):
        return label(text, self.theme.text, size).next_to(mob, UP, buff=0.18)

    def shade_cells(self, grid: Grid, levels: np.ndarray) -> None:
        """Fill each cell with its pixel's grey, its number in black or white to contrast."""
        for (i, j), level in np.ndenumerate(levels):
            grey = "#" + f"{int(level):02X}" * 3
            grid.cell(i, j).set_fill(grey, opacity=1)
            grid.number(i, j).set_color("#000000" if level >= 128 else "#FFFFFF")
