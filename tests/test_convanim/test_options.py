"""Parameters are declared once: options, lecture keys, help, records and hashes follow."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from convanim import cli, registry
from convanim.cli import main
from convanim.jobs import Job, job_hash
from convanim.lecture import load_lecture
from convanim.options import declared, parse_for, parse_toml

PHOTO = Path(__file__).resolve().parents[2] / "docs" / "sliding.png"
#: One value per parameter name, as command-line text and as a lecture-file value.
SAMPLES = {
    "input": ("1 2 3; 4 5 6; 7 8 9", [[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
    "kernel": ("1 0; 0 -1", [[1, 0], [0, -1]]),
    "bias": ("0.5", 0.5),
    "stride": ("2,1", [2, 1]),
    "padding": ("1", 1),
    "dilation": ("2", 2),
    "lr": ("0.05", 0.05),
    "epochs": ("2", 2),
    "momentum": ("0.9", 0.9),
    "seed": ("7", 7),
    "init": ("kaiming_normal", "kaiming_normal"),
    "bins": ("12", 12),
    "layers": ("3,1,0,1; 3,2,0,1", [[3, 1, 0, 1], [3, 2, 0, 1]]),
    "input_size": ("11", 11),
    "channels": ("32", 32),
    "kernel_size": ("2", 2),
    "kernel_a": ("5", 5),
    "kernel_b": ("2", 2),
    "output_padding": ("1", 1),
    "pool": ("avg", "avg"),
    "ceil_mode": (True, True),
    "count_include_pad": (False, False),
    # feature-maps: an image other than the default (absolute: CLI and lecture file agree)
    "image": (str(PHOTO), str(PHOTO)),
    "size": ("40", 40),
    "kernels": ("blur,edge", ["blur", "edge"]),
    "patch": ("2,3", [2, 3]),
    "in_channels": ("2", 2),
    "out_channels": ("4", 4),
    "groups": ("1", 1),
    "side": ("3", 3),
    "mode": ("same", "same"),
    "grad_output": ("1 0 -1; 2 0 1; 0 -2 1", [[1, 0, -1], [2, 0, 1], [0, -2, 1]]),
    "kernel_shape": ("3x3", "3x3"),
    "steps": ("12", 12),
}
PARAMS = declared()


def test_every_declared_parameter_has_help_and_a_sample_here():
    assert set(PARAMS) == set(SAMPLES)
    for name, (param, scenes) in PARAMS.items():
        assert param.help and scenes, name


def test_build_help_lists_each_declared_option_with_the_scenes_that_take_it():
    text = CliRunner().invoke(main, ["build", "--help"], terminal_width=400).output
    blocks = {b.split()[0]: " ".join(b.split()) for b in text.split("\n  -") if b.strip()}
    for _name, (param, _scenes) in PARAMS.items():
        block = blocks[param.option[1:]]
        for spec in registry.SCENES.values():  # every declaration's help, with its scene
            for p in spec.params:
                if p.name == param.name:
                    assert " ".join(p.help.split()) in block, block
                    assert spec.name in block or f"{spec.group} videos" in block, block


def test_an_option_declared_differently_shows_each_help_with_its_scenes():
    text = CliRunner().invoke(main, ["build", "--help"], terminal_width=400).output
    block = " ".join(text.split("--kernel MATRIX")[1].split("\n  -")[0].split())
    matrix = " ".join(registry.get("sliding").param("kernel").help.split())
    named = " ".join(registry.get("feature-maps").param("kernel").help.split())
    assert matrix != named and "sobel-x" in named
    assert block.index(matrix) < block.index("sliding") < block.index(named)
    assert block.index(named) < block.index("feature-maps")


@pytest.mark.parametrize("name", list(SAMPLES))
def test_command_line_and_lecture_file_parse_to_the_same_value(name, tmp_path):
    _param, scenes = PARAMS[name]
    spec = registry.get(scenes[0])
    text, toml_value = SAMPLES[name]
    from_cli = parse_for(spec, {name: text})[name]
    from_toml = parse_toml(spec, name, toml_value, tmp_path)
    assert type(from_cli) is type(from_toml)
    if isinstance(from_cli, np.ndarray):
        np.testing.assert_array_equal(from_cli, from_toml)
    else:
        assert from_cli == from_toml


@pytest.mark.parametrize("scene", list(registry.SCENES))
def test_record_and_hash_cover_every_declared_parameter(scene):
    spec = registry.get(scene)
    job = Job(scene, scene)
    assert list(job.settings()["effective_params"]) == [p.name for p in spec.params]
    json.dumps(job.settings())  # every default is JSON-ready
    base = job_hash(job)
    for param in spec.params:
        text, _ = SAMPLES[param.name]
        if param.name == "input_size" and scene == "checkerboard":
            text = "3"  # receptive-field's sample is beyond this scene's range
        changed = Job(scene, scene, parse_for(spec, {param.name: text}))
        assert job_hash(changed) != base, param.name


@pytest.mark.parametrize("scene", list(registry.SCENES))
def test_every_scene_computes_its_trace_from_the_declared_defaults(scene):
    spec = registry.get(scene)
    assert spec.make_trace(spec.resolve()) is not None


def test_lecture_keys_are_the_declared_parameters(tmp_path):
    lines = ['[[video]]\nscene = "training"']
    for name, (_, scenes) in PARAMS.items():
        if "training" in scenes:
            lines.append(f"{name} = {json.dumps(SAMPLES[name][1])}")
    path = tmp_path / "lecture.toml"
    path.write_text("\n".join(lines))
    (job,) = load_lecture(path)
    assert set(job.params) == {p.name for p in registry.get("training").params}


def test_list_shows_every_video_in_lecture_order():
    out = CliRunner().invoke(main, ["list"]).output
    names = [line.split()[0] for line in out.splitlines() if not line.endswith(":")]
    assert names == list(registry.SCENES)


#: conv_arithmetic's animations (DATA.md), in its README's order.
CONV_ARITHMETIC = [
    "no_padding_no_strides",
    "arbitrary_padding_no_strides",
    "same_padding_no_strides",
    "full_padding_no_strides",
    "no_padding_strides",
    "padding_strides",
    "padding_strides_odd",
    "dilation",
    *(
        f"{name}_transposed"
        for name in (
            "no_padding_no_strides",
            "arbitrary_padding_no_strides",
            "same_padding_no_strides",
            "full_padding_no_strides",
            "no_padding_strides",
            "padding_strides",
            "padding_strides_odd",
        )
    ),
    "numerical_no_padding_no_strides",
    "numerical_padding_strides",
    "numerical_average_pooling",
    "numerical_max_pooling",
]


def test_preset_builds_conv_arithmetics_nineteen_animations(monkeypatch, tmp_path):
    built = []
    monkeypatch.setattr(cli, "run_build", lambda jobs, todo, traces, *a: built.append(jobs))
    result = CliRunner().invoke(main, ["build", "--preset", "conv-arithmetic", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [job.name for job in built[0]] == CONV_ARITHMETIC
    assert registry.in_group("conv-arithmetic") == CONV_ARITHMETIC


def test_list_groups_conv_arithmetic_under_its_own_heading():
    out = CliRunner().invoke(main, ["list"]).output.splitlines()
    start = out.index("conv-arithmetic:")
    assert [line.split()[0] for line in out[start + 1 :]] == CONV_ARITHMETIC
