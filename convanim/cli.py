"""The ``convanim`` command: list, explain and build the convolution videos.

Thin by design: options become scene parameters and manim settings; the arithmetic lives
in convcore. Errors a user can cause print one line and exit with status 2.
"""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from functools import partial
from pathlib import Path

import click
import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import convcore
from convanim import registry
from convanim.build import BuildLocked, FolderLock, compute_traces, run_jobs, stale
from convanim.cluster import ClusterError, connect
from convanim.gallery import write_gallery
from convanim.jobs import Job
from convanim.lecture import LectureError, load_lecture
from convanim.options import SETTINGS, given, parse_for, scene_options
from convanim.slides import SlidesUnavailable, plan_decks
from convcore.init import SCHEMES
from scenes.kit.fmt import equation, matrix_lines, product_terms, shape, size_formula
from scenes.specs import sliding

#: ``convcore.init`` scheme names, for ``--init``.
INIT_SCHEMES = list(SCHEMES)
CONSTANT_INIT = 0.1  #: every weight's value for ``--init constant``
DEFAULT_SETTINGS = {"quality": "high", "format": "mp4", "theme": "dark", "lang": "en"}


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


@click.group(cls=ConvanimGroup)
def main():
    """convanim: lecture videos of 2-D convolution arithmetic, correct to the last digit."""


@main.command("list")
def list_scenes():
    """List every video, in lecture order, with a one-line description."""
    groups = registry.groups()
    for group in groups:
        names = registry.in_group(group)
        width = max(len(name) for name in names)  # each group aligned on its own names
        if len(groups) > 1:
            click.echo(f"{group}:")
        for name in names:
            click.echo(f"{name.ljust(width)}  {registry.get(name).description}")


@main.command()
@scene_options([sliding.SPEC], name_scenes=False)
def explain(**options):
    """Print the sliding-window computation step by step: each window, its products, sum.

    Without options this is the article's example (5×5 input 1..25, 3×3 kernel 1..9).
    """
    try:
        values = sliding.SPEC.resolve(parse_for(sliding.SPEC, given(options)))
        trace = sliding.SPEC.make_trace(values)
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
    "--preset",
    type=click.Choice(registry.groups()),
    help="Build every video of one group of `convanim list` (e.g. conv-arithmetic).",
)
@click.option(
    "--config",
    "config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A lecture file (TOML) listing the videos to build with their parameters.",
)
@click.option(
    "--quality",
    "-q",
    type=click.Choice(SETTINGS["quality"]),
    help="low 480p15, medium 720p30, high 1080p60 (default), 4k 2160p60.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(SETTINGS["format"]),
    help="mp4 (default), webm, gif, or png (the final frame).",
)
@click.option(
    "--theme",
    type=click.Choice(SETTINGS["theme"]),
    help="Colours: dark (default), or light for white slides.",
)
@click.option(
    "--lang",
    type=click.Choice(SETTINGS["lang"]),
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
    help="Scenes rendered at once, in separate processes (default: CPU cores).",
)
@click.option("--force", is_flag=True, help="Render even scenes whose output is up to date.")
@click.option(
    "--scheduler",
    envvar="CONVANIM_SCHEDULER",
    help="Render on the Dask cluster at tcp://HOST:PORT instead of local processes, --jobs "
    "ignored (pip install 'convanim[dask]'; default $CONVANIM_SCHEDULER).",
)
@click.option(
    "--slides",
    is_flag=True,
    help="Also write step-through decks, one slide per beat: NAME.pptx and NAME.slides.html "
    "(a lecture file: one deck named after it). Needs pip install 'convanim[slides]'.",
)
@scene_options()
def build(
    names, build_all, preset, config, quality, fmt, theme, lang, output_dir, jobs, force, **options
):
    """Render videos (by NAME, --all, --preset GROUP or --config FILE) into the output folder.

    Each video NAME.<format> gets a poster NAME.png, captions NAME.vtt and a record
    NAME.json of its parameters; media/index.html shows them all. Unchanged videos are not
    rendered again (--force to override). Scene options apply to the scenes named in
    brackets in their help.
    """
    scheduler = options.pop("scheduler")
    settings = {"quality": quality, "format": fmt, "theme": theme, "lang": lang}
    settings = {k: v for k, v in settings.items() if v is not None}
    if preset:
        names = tuple(registry.in_group(preset))
    slides = options.pop("slides")
    job_list = make_jobs(names, build_all, config, settings, given(options))
    try:
        decks = plan_decks(slides, config, job_list)
    except (ValueError, SlidesUnavailable) as exc:
        raise UserError(str(exc)) from None
    todo = stale(job_list, output_dir, force)
    try:
        traces = compute_traces(todo)
        remote = connect(scheduler, todo) if scheduler else nullcontext()
    except (ValueError, ClusterError) as exc:
        raise UserError(str(exc)) from None
    with remote as runner:
        folder = prepare_output_dir(output_dir)
        if runner is not None:
            click.echo(runner.describe(), err=True)
        run_build(job_list, todo, traces, folder, jobs or os.cpu_count() or 1, runner, decks)


def make_jobs(names, build_all, config, settings: dict, raw: dict[str, str]) -> list[Job]:
    """The jobs of one build request, their parameters parsed once (nothing renders yet)."""
    if sum((bool(names), build_all, config is not None)) != 1:
        raise UserError(
            "name the scenes to build, use --all or --preset, or give --config "
            "(see `convanim list`)"
        )
    if config is not None:
        if raw:
            raise UserError("matrix and convolution options go in the lecture file with --config")
        try:
            return load_lecture(config, settings)
        except LectureError as exc:
            raise UserError(str(exc)) from None
    settings = {**DEFAULT_SETTINGS, **settings}
    try:
        specs = list(registry.SCENES.values()) if build_all else [registry.get(n) for n in names]
        job_list = []
        for spec in specs:
            taken = {k: v for k, v in raw.items() if k in {p.name for p in spec.params}}
            if len(taken) < len(raw) and not build_all:
                extra = next(k for k in raw if k not in taken)
                raise ValueError(f"scene {spec.name!r} does not take --{extra.replace('_', '-')}")
            job_list.append(Job(spec.name, spec.name, parse_for(spec, taken), **settings))
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if len({job.name for job in job_list}) != len(job_list):
        raise UserError("a scene is named twice")
    return job_list


def run_build(job_list, todo, traces, folder: Path, workers: int, runner=None, decks=None):
    """Run the jobs with progress lines and a summary table; exit 1 if any failed."""
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
            results = run_jobs(job_list, todo, traces, folder, workers, report, runner)
            if decks is not None:  # after the videos: decks are cut from them
                say = partial(console.print, highlight=False, soft_wrap=True)
                results += decks.write(folder, job_list, results, say)
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
