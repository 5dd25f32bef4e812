"""docs/adding-a-scene.md is correct as written: its declaration and scene run."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from scene_utils import dry_run

from convcore import ARTICLE_OUTPUT
from scenes.kit.fmt import fmt

DOC = Path(__file__).resolve().parents[2] / "docs" / "adding-a-scene.md"


def load(name: str, source: str, folder: Path):
    path = folder / (name.rsplit(".", 1)[1] + ".py")
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    folder = tmp_path_factory.mktemp("doc")
    try:
        spec_module = load("scenes.specs.output_map", blocks[0], folder)
        scene_module = load("scenes.output_map", blocks[1], folder)
        yield spec_module, scene_module
    finally:
        sys.modules.pop("scenes.specs.output_map", None)
        sys.modules.pop("scenes.output_map", None)


def test_the_documented_scene_draws_its_trace(example):
    spec_module, scene_module = example
    spec = spec_module.SPEC
    assert spec.load() is scene_module.OutputMap
    scene, problems = dry_run(scene_module.OutputMap)
    assert problems == []
    shown = [float(n.original_text) for n in scene.out_grid.numbers]
    np.testing.assert_array_equal(np.reshape(shown, (3, 3)), ARTICLE_OUTPUT)
    assert [text for _, text in scene.cues][-1] == f"out[2, 2] = {fmt(ARTICLE_OUTPUT[2, 2])}"


def test_the_documented_declaration_checks_its_values(example):
    spec = example[0].SPEC
    assert spec.resolve({"stride": 2}).stride == 2
    with pytest.raises(ValueError, match="too large to draw"):
        spec.make_trace(spec.resolve({"input": np.ones((12, 12)), "kernel": np.ones((2, 2))}))
