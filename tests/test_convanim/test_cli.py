"""The convanim CLI through click's CliRunner: real values (errors: test_bad_input.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from click.testing import CliRunner

import convcore
from convanim.cli import main
from scenes.kit.fmt import fmt

ARTICLE_SUMS = [411, 456, 501, 636, 681, 726, 861, 906, 951]


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_list_names_every_scene_with_a_description():
    result = run("list")
    assert result.exit_code == 0
    assert re.search(r"^sliding\s+The kernel slides", result.stdout, re.M)


def test_explain_prints_the_articles_computation():
    result = run("explain")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "out[0, 0] = 1·1 + 2·2 + 3·3 + 6·4 + 7·5 + 8·6 + 11·7 + 12·8 + 13·9 = 411" in out
    assert "out[2, 2] = 13·1 + 14·2 + 15·3 + 18·4 + 19·5 + 20·6 + 23·7 + 24·8 + 25·9 = 951" in out
    sums = [int(s) for s in re.findall(r"^  out\[\d, \d\] = .* = (\d+)$", out, re.M)]
    assert sums == ARTICLE_SUMS
    assert out.rstrip().endswith("411  456  501\n636  681  726\n861  906  951")
    assert "H_out = ⌊(5 + 2·0 − 1·(3 − 1) − 1) / 1⌋ + 1 = ⌊2 / 1⌋ + 1 = 3" in out


def test_explain_with_options_matches_convcore():
    x, k = "1 2 0 3; 4 -1 2 0; 0 5 1 1; 2 2 2 2", "1 0; -1 2"
    result = run(
        "explain", "--input", x, "--kernel", k, "--stride", "2", "--padding", "1", "--bias", "0.5"
    )
    assert result.exit_code == 0, result.output
    xs = np.array([[1, 2, 0, 3], [4, -1, 2, 0], [0, 5, 1, 1], [2, 2, 2, 2.0]])
    ks = np.array([[1, 0], [-1, 2.0]])
    expected = convcore.conv2d(xs[None, None], ks[None, None], [0.5], 2, 1)[0, 0]
    values = re.findall(r"^  out\[\d, \d\] = .* = (\S+)$", result.stdout, re.M)
    assert values == [fmt(v) for v in expected.ravel()]
    assert "+ bias 0.5 =" in result.stdout


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".npy"])
def test_explain_reads_matrix_files(tmp_path, suffix):
    path = tmp_path / f"x{suffix}"
    if suffix == ".npy":
        np.save(path, convcore.ARTICLE_INPUT)
    else:
        sep = "," if suffix == ".csv" else " "
        path.write_text(
            "\n".join(sep.join(str(int(v)) for v in row) for row in convcore.ARTICLE_INPUT)
        )
    result = run("explain", "--input", str(path))
    assert result.exit_code == 0, result.output
    sums = re.findall(r"^  out\[\d, \d\] = .* = (\d+)$", result.stdout, re.M)
    assert sums == [str(s) for s in ARTICLE_SUMS]


def test_train_prints_the_articles_printout():
    result = run("train", "--epochs", "2")
    assert result.exit_code == 0, result.output
    trace = convcore.trace_training(convcore.article_example(), epochs=2, lr=0.01)
    assert result.stdout.strip() == convcore.format_training_printout(trace).strip()
    assert "Epoch 1/2 :start" in result.stdout
    assert "[-0.2496, -0.2133,  0.1125]" in result.stdout  # the article's conv1 weights


def test_train_with_seed_and_init_is_deterministic():
    a = run("train", "--seed", "7", "--init", "kaiming_normal", "--momentum", "0.9")
    b = run("train", "--seed", "7", "--init", "kaiming_normal", "--momentum", "0.9")
    c = run("train", "--seed", "8", "--init", "kaiming_normal", "--momentum", "0.9")
    assert a.exit_code == 0 and a.stdout == b.stdout != c.stdout
