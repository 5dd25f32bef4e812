"""The ``convanim`` command: list, explain and build the convolution videos.

Thin by design: options become scene parameters and manim settings; the arithmetic lives
in convcore. Errors a user can cause print one line and exit with status 2.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from convcore.init import SCHEMES
from scenes import registry
from scenes.build import FORMATS
from scenes.matrices import parse_matrix
from scenes.render import QUALITIES
from scenes.textfmt import equation, matrix_lines, product_terms, shape, size_formula

#: ``convcore.init`` scheme names, for ``--init``.
INIT_SCHEMES = list(SCHEMES)
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


class LayersType(click.ParamType):
    """``"3,1,0,1; 3,2,0,1"``: layers of kernel, stride, padding, dilation (trailing optional)."""

    name = "layers"

    def convert(self, value, param, ctx):
        if not isinstance(value, str):
            return value
        layers = []
        for k, part in enumerate(p for p in value.split(";") if p.strip()):
            try:
                numbers = tuple(int(v) for v in part.replace(" ", "").split(","))
            except ValueError:
                self.fail(f"layer {k + 1} {part.strip()!r} is not ints like 3,1,0,1", param, ctx)
            if not 1 <= len(numbers) <= 4:
                self.fail(
                    f"layer {k + 1} needs 1 to 4 ints (kernel,stride,padding,dilation)", param, ctx
                )
            layers.append(numbers)
        if not layers:
            self.fail("give at least one layer, e.g. 3,1,0,1", param, ctx)
        return tuple(layers)


def learning_options(func):
    """The options of the learning videos and the receptive-field video."""
    options = [
        click.option("--lr", type=float, help="training: SGD learning rate (default 0.01)."),
        click.option("--epochs", type=click.IntRange(1, 5), help="training: epochs (default 3)."),
        click.option("--momentum", type=float, help="training: SGD momentum in [0, 1)."),
        click.option(
            "--seed",
            type=click.IntRange(0),
            help="training, initialization: the "
            "random seed (training: a random start instead of the article's).",
        ),
        click.option(
            "--init",
            "init",
            type=click.Choice(INIT_SCHEMES),
            help="training: weight scheme of a random start.",
        ),
        click.option(
            "--bins",
            type=click.IntRange(2, 40),
            help="initialization: histogram bins (default 20).",
        ),
        click.option(
            "--layers",
            type=LayersType(),
            help="receptive-field: stacked layers as "
            '"kernel,stride,padding,dilation; ..." (e.g. "3,1,0,1; 3,2,0,1").',
        ),
        click.option(
            "--input-size",
            "input_size",
            type=click.IntRange(1, 64),
            help="receptive-field: input side length (default 9).",
        ),
        click.option(
            "--channels",
            type=click.IntRange(1, 4096),
            help="receptive-field: channels C in the C² weight count (default 64).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def conv_params(input_, kernel, bias, stride, padding, dilation, **others) -> dict:
    """The options the user set, parsed (unset options are left to each scene's default)."""
    params = {"bias": bias, "stride": stride, "padding": padding, "dilation": dilation, **others}
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
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A lecture file (TOML) listing the videos to build with their parameters.",
)
@click.option(
    "--quality",
    "-q",
    type=click.Choice(list(QUALITIES)),
    default=None,
    help="low 480p15, medium 720p30, high 1080p60 (default), 4k 2160p60.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="mp4 (default), webm, gif, or png (the final frame).",
)
@click.option(
    "--theme",
    type=click.Choice(["dark", "light"]),
    default=None,
    help="Colours: dark (default), or light for white slides.",
)
@click.option(
    "--lang",
    type=click.Choice(["en", "zh"]),
    default=None,
    help="Language of labels and captions: en (default) or zh.",
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
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Scenes rendered at once, in separate processes (default: CPU cores).",
)
@click.option("--force", is_flag=True, help="Render even scenes whose output is up to date.")
@conv_options
@learning_options
def build(names, build_all, config, quality, fmt, theme, lang, output_dir, jobs, force, **options):
    """Render videos (by NAME, --all, or --config FILE) into the output folder.

    Each video NAME.<format> gets a poster NAME.png, captions NAME.vtt and a record
    NAME.json of its parameters; media/index.html shows them all. Unchanged videos are not
    rendered again (--force to override).
    """
    settings = {"quality": quality, "format": fmt, "theme": theme, "lang": lang}
    settings = {k: v for k, v in settings.items() if v is not None}
    job_list = make_jobs(names, build_all, config, settings, conv_params(**options))
    validate(stale_jobs(job_list, output_dir, force))
    folder = prepare_output_dir(output_dir)
    run_build(job_list, folder, jobs or os.cpu_count() or 1, force)


def make_jobs(names, build_all, config, settings: dict, params: dict) -> list:
    """The validated jobs of one build request (nothing is rendered before all pass)."""
    from scenes.build import Job
    from scenes.lecture import LectureError, load_lecture

    if sum((bool(names), build_all, config is not None)) != 1:
        raise UserError(
            "name the scenes to build, use --all, or give --config (see `convanim list`)"
        )
    if config is not None:
        if params:
            raise UserError("matrix and convolution options go in the lecture file with --config")
        try:
            return load_lecture(config, settings)
        except LectureError as exc:
            raise UserError(str(exc)) from None
    defaults = {"quality": "high", "format": "mp4", "theme": "dark", "lang": "en", **settings}
    try:
        entries = list(registry.SCENES.values()) if build_all else [registry.get(n) for n in names]
        for entry in entries:
            ignored = [k for k in params if k not in entry.params]
            if ignored and not build_all:
                raise ValueError(f"scene {entry.name!r} does not take --{ignored[0]}")
        job_list = [
            Job(e.name, e.name, {k: v for k, v in params.items() if k in e.params}, **defaults)
            for e in entries
        ]
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if len({job.name for job in job_list}) != len(job_list):
        raise UserError("a scene is named twice")
    return job_list


def stale_jobs(job_list, output_dir: Path, force: bool) -> list:
    """The jobs that must render: all with --force, else those without a valid record.

    An up-to-date job was validated when it rendered, with the same hash; skipping its
    validation keeps a rebuild with nothing changed from importing Manim at all.
    """
    from scenes.build import cached_result, job_hash

    if force or not output_dir.is_dir():
        return list(job_list)
    return [job for job in job_list if not cached_result(job, output_dir, job_hash(job))]


def validate(job_list) -> None:
    """Build each job's trace once, so bad parameters stop the build before it renders."""
    try:
        for job in job_list:
            cls = job.scene_class()
            if hasattr(cls, "make_trace"):
                cls.make_trace()
    except ValueError as exc:
        raise UserError(str(exc)) from None


def run_build(job_list, folder: Path, workers: int, force: bool) -> None:
    """Run the jobs with progress lines and a summary table; exit 1 if any failed."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from scenes.build import BuildLocked, FolderLock, run_jobs
    from scenes.gallery import write_gallery

    console = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]building"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} videos"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )

    def report(result):
        mark = {
            "rendered": "[green]rendered",
            "cached": "[cyan]up to date",
            "failed": "[red]FAILED",
        }[result.status]
        main_file = result.files.get(next(iter(result.files), ""), "")
        detail = result.error if result.status == "failed" else f"{folder / main_file}"
        console.print(f"{result.name}: {mark}[/] {detail}", highlight=False, soft_wrap=True)
        progress.advance(task)

    try:
        with FolderLock(folder), progress:
            task = progress.add_task("build", total=len(job_list))
            results = run_jobs(job_list, folder, workers, force, report)
            write_gallery(folder)
    except BuildLocked as exc:
        raise UserError(str(exc)) from None
    console.print(summary_table(results))
    failed = [r for r in results if r.status == "failed"]
    if failed:
        console.print(f"[red]{len(failed)} of {len(results)} videos failed")
        sys.exit(1)


def summary_table(results):
    """A rich table: scene, video length, size, render time, cached or not."""
    from rich.table import Table

    table = Table(title="convanim build")
    for column in ("video", "status", "length", "size", "render time", "render s / video s"):
        table.add_column(column, justify="left" if column in ("video", "status") else "right")
    for r in results:
        ratio = (
            f"{r.render_seconds / r.duration:.2f}" if r.duration and r.status != "cached" else ""
        )
        table.add_row(
            r.name,
            r.status,
            f"{r.duration:.1f} s" if r.duration else "",
            f"{r.size / 1e6:.2f} MB" if r.size else "",
            f"{r.render_seconds:.1f} s" if r.render_seconds else "",
            ratio,
        )
    return table


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
