"""The ``convanim`` command: list, explain and build the convolution videos.

Thin by design: options become scene parameters and manim settings; the arithmetic lives
in convcore. Errors a user can cause print one line and exit with status 2.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from scenes import registry
from scenes.matrices import parse_matrix
from scenes.render import QUALITIES
from scenes.textfmt import equation, matrix_lines, product_terms, shape, size_formula

#: ``convcore.init`` scheme names (listed here so ``--help`` does not import NumPy code).
INIT_SCHEMES = [
    "normal",
    "uniform",
    "constant",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
]
CONSTANT_INIT = 0.1  #: every weight's value for ``--init constant``


class UserError(click.ClickException):
    """A problem with what the user asked for: one line, exit status 2."""

    exit_code = 2


class ConvanimGroup(click.Group):
    """A click group that reports every usage error on one line, without a traceback."""

    def main(self, args=None, prog_name=None, **extra):
        try:
            code = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("convanim: interrupted", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            click.echo(f"convanim: error: {exc.format_message()}", err=True)
            sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
        sys.exit(code or 0)


class IntOrPair(click.ParamType):
    """``2`` or ``2,1`` (also ``'same'``/``'valid'`` where ``words`` allows)."""

    name = "int|pair"

    def __init__(self, words: tuple[str, ...] = ()):
        self.words = words

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        text = value.strip().lower()
        if text in self.words:
            return text
        try:
            parts = [int(p) for p in text.replace(" ", "").split(",")]
        except ValueError:
            extra = f", {' or '.join(repr(w) for w in self.words)}" if self.words else ""
            self.fail(f"{value!r} is not an int or a pair like 2,1{extra}", param, ctx)
        if len(parts) not in (1, 2):
            self.fail(f"{value!r} must be one or two ints", param, ctx)
        return parts[0] if len(parts) == 1 else tuple(parts)


def conv_options(func):
    """The options that describe one convolution, shared by ``explain`` and ``build``."""
    options = [
        click.option(
            "--input",
            "input_",
            metavar="MATRIX",
            help='Input matrix: "1 2 3; 4 5 6" or a .csv/.txt/.npy file.',
        ),
        click.option("--kernel", metavar="MATRIX", help="Kernel matrix, same forms as --input."),
        click.option("--bias", type=float, help="Bias added to every output value."),
        click.option("--stride", type=IntOrPair(), help="Stride: 2 or 2,1 (rows, columns)."),
        click.option(
            "--padding",
            type=IntOrPair(("same", "valid")),
            help="Zero padding: 1, 1,2, 'same' or 'valid'.",
        ),
        click.option("--dilation", type=IntOrPair(), help="Dilation: 2 or 2,1."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def conv_params(input_, kernel, bias, stride, padding, dilation) -> dict:
    """The options the user set, parsed (unset options are left to each scene's default)."""
    params = {"bias": bias, "stride": stride, "padding": padding, "dilation": dilation}
    params = {k: v for k, v in params.items() if v is not None}
    try:
        if input_ is not None:
            params["input"] = parse_matrix(input_, "--input")
        if kernel is not None:
            params["kernel"] = parse_matrix(kernel, "--kernel")
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return params


@click.group(cls=ConvanimGroup)
def main():
    """convanim: lecture videos of 2-D convolution arithmetic, correct to the last digit."""


@main.command("list")
def list_scenes():
    """List every video with a one-line description."""
    width = max(len(name) for name in registry.SCENES)
    for entry in registry.SCENES.values():
        click.echo(f"{entry.name.ljust(width)}  {entry.description}")


@main.command()
@conv_options
def explain(**options):
    """Print the sliding-window computation step by step: each window, its products, sum.

    Without options this is the article's example (5×5 input 1..25, 3×3 kernel 1..9).
    """
    scene = registry.get("sliding").configured(conv_params(**options))
    try:
        trace = scene.make_trace()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    for line in explain_lines(trace):
        click.echo(line)


def explain_lines(trace) -> list[str]:
    """The text of ``convanim explain`` for a single-channel trace."""
    t = trace
    lines = [f"input {shape(*t.x.shape[2:])}:", *matrix_lines(t.x[0, 0])]
    lines += [f"kernel {shape(*t.kernel_size)}:", *matrix_lines(t.weight[0, 0])]
    lines += ["output size:", *(f"  {s}" for s in size_formula(t.size_h, "H"))]
    lines.append(f"  {size_formula(t.size_w, 'W')[1]}")
    bias = t.bias[0] if t.has_bias else None
    for k in range(t.n_steps):
        i, j = t.out_index[k]
        r, c = t.origins[k]
        lines += ["", f"position ({i}, {j}): window at row {r}, column {c} of the padded input"]
        lines += [f"  {row}" for row in matrix_lines(t.windows[0, k, 0])]
        terms = product_terms(t.windows[0, k, 0], t.weight[0, 0])
        lines.append(f"  out[{i}, {j}] = {equation(terms, bias, t.values[0, 0, k])}")
    lines += ["", f"output {shape(*t.out_shape)}:", *matrix_lines(t.out[0, 0])]
    return lines


@main.command()
@click.option("--lr", type=float, default=0.01, show_default=True, help="SGD learning rate.")
@click.option(
    "--epochs", type=click.IntRange(1, 1000), default=3, show_default=True, help="Training epochs."
)
@click.option("--momentum", type=float, default=0.0, show_default=True, help="SGD momentum.")
@click.option("--seed", type=int, help="Start from random weights and data drawn with this seed.")
@click.option(
    "--init",
    "scheme",
    type=click.Choice(INIT_SCHEMES),
    help="Weight initialisation for a seeded start (default xavier_uniform).",
)
def train(lr, epochs, momentum, seed, scheme):
    """Train the article's two-layer network and print the article's printout.

    Per epoch: conv1's weights before optimizer.step(), the loss, the gradient that
    backward() filled, and the weights after step(). Without --seed/--init it starts from
    the article's conv1 weights (the rest of the state is fixed, see convcore.train).
    """
    import numpy as np

    import convcore

    try:
        state = convcore.article_example()
        if seed is not None or scheme is not None:
            rng = np.random.default_rng(0 if seed is None else seed)
            scheme = scheme or "xavier_uniform"
            params = {"val": CONSTANT_INIT} if scheme == "constant" else {}
            state = convcore.random_state(
                state.layers, state.x.shape, rng=rng, scheme=scheme, **params
            )
        trace = convcore.trace_training(state, epochs=epochs, lr=lr, momentum=momentum)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    click.echo(convcore.format_training_printout(trace))


@main.command()
@click.argument("names", nargs=-1)
@click.option("--all", "build_all", is_flag=True, help="Build every scene in `convanim list`.")
@click.option(
    "--quality",
    "-q",
    type=click.Choice(list(QUALITIES)),
    default="high",
    show_default=True,
    help="low 480p15, medium 720p30, high 1080p60, 4k 2160p60.",
)
@click.option(
    "--output-dir",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("media"),
    show_default=True,
    help="Folder for the videos.",
)
@click.option(
    "--theme",
    type=click.Choice(["dark", "light"]),
    default="dark",
    show_default=True,
    help="Colours: dark, or light for white slides.",
)
@conv_options
def build(names, build_all, quality, output_dir, theme, **options):
    """Render videos (by NAME, or --all) into the output folder as NAME.mp4."""
    from scenes.render import render_scene

    if build_all == bool(names):
        raise UserError("name the scenes to build, or use --all (see `convanim list`)")
    try:
        entries = list(registry.SCENES.values()) if build_all else [registry.get(n) for n in names]
        params = conv_params(**options)
        scenes = [(e, e.configured(params, theme)) for e in entries]
        for _, scene in scenes:  # validate everything before rendering anything
            if hasattr(scene, "make_trace"):
                scene.make_trace()
    except ValueError as exc:
        raise UserError(str(exc)) from None
    folder = prepare_output_dir(output_dir)
    for entry, scene in scenes:
        start = time.perf_counter()
        path = render_scene(scene, entry.name, quality, folder)
        click.echo(f"{entry.name}: {path} ({time.perf_counter() - start:.1f} s)")


def prepare_output_dir(path: Path) -> Path:
    """Create ``path`` if only its last part is missing; check that it is writable."""
    if not path.exists():
        if not path.parent.is_dir():
            raise UserError(f"output folder's parent does not exist: {path.parent}")
        try:
            path.mkdir()
        except OSError as exc:
            raise UserError(f"cannot create output folder {path}: {exc.strerror}") from None
    if not path.is_dir():
        raise UserError(f"output path is not a folder: {path}")
    probe = path / ".convanim-write-test"
    try:
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise UserError(f"output folder {path} is not writable: {exc.strerror}") from None
    return path


if __name__ == "__main__":  # pragma: no cover
    main()
