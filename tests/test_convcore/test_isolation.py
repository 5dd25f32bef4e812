"""convcore depends on NumPy and the standard library only: importing it loads no manim."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LIST_MODULES = "import json, sys; print(json.dumps(sorted(sys.modules)))"


def _modules_after(code: str) -> set[str]:
    """Top-level names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{LIST_MODULES}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return {name.split(".")[0] for name in json.loads(result.stdout)}


@pytest.fixture(scope="module")
def loaded():
    baseline = _modules_after("pass")
    return baseline, _modules_after("import convcore")


@pytest.mark.parametrize("forbidden", ["manim", "click", "torch", "scenes"])
def test_import_convcore_does_not_load(loaded, forbidden):
    _, after = loaded
    assert forbidden not in after


def test_import_convcore_loads_only_numpy_and_stdlib(loaded):
    baseline, after = loaded
    assert {"convcore", "numpy"} <= after
    extra = after - baseline - set(sys.stdlib_module_names) - {"convcore", "numpy"}
    assert not {name for name in extra if not name.startswith("_")}, extra


def test_the_check_can_see_manim():
    """The subprocess check itself works: importing manim's CLI dependency shows up."""
    assert "click" in _modules_after("import click")
