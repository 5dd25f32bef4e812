"""The layout shows the architecture: convcore computes, scenes draw, convanim orchestrates.

Static checks over the source (no Manim needed): which package imports which, no import
cycles and no project imports hidden inside functions, no arithmetic in scenes, every
parameter declared once.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("convcore", "scenes", "convanim")
#: Which project packages each package may import (data flows one way).
ALLOWED = {
    "convcore": {"convcore"},
    "scenes": {"scenes", "convcore"},
    "convanim": {"convanim", "scenes", "convcore"},
}


def modules() -> dict[str, Path]:
    """Every project module by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = modules()


def project_imports(path: Path) -> list[tuple[str, bool]]:
    """(imported project module, whether the import is inside a function) for one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside |= {id(n) for n in ast.walk(node) if n is not node}
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{a.name}" for a in node.names]
            names = [m for m in submodules if m in MODULES] or [node.module]
        for name in names:
            if name.split(".")[0] in PACKAGES:
                found.append((name, id(node) in inside))
    return found


@pytest.mark.parametrize("name", list(MODULES))
def test_imports_go_one_way_and_none_hide_in_functions(name):
    package = name.split(".")[0]
    for imported, in_function in project_imports(MODULES[name]):
        assert imported.split(".")[0] in ALLOWED[package], f"{name} imports {imported}"
        assert not in_function, f"{name} imports {imported} inside a function"


def test_no_import_cycles():
    graph = {
        name: {i for i, _ in project_imports(path) if i in MODULES and i != name}
        for name, path in MODULES.items()
    }
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError(" → ".join([*stack, node, nxt]))
            if nxt not in state:
                visit(nxt, [*stack, node])
        state[node] = 2

    for name in graph:
        if name not in state:
            visit(name, [])


def test_scenes_holds_only_scene_modules_the_kit_and_declarations():
    for path in (ROOT / "scenes").iterdir():
        if path.is_dir():
            assert path.name in {"kit", "specs", "__pycache__"}, path
        elif path.suffix == ".py" and path.name != "__init__.py":
            assert re.search(r"^class \w+\(ConvScene\)", path.read_text(), re.M), path
    assert (ROOT / "convanim" / "cli.py").is_file()


#: NumPy arithmetic and reductions a scene must leave to convcore.
ARITHMETIC = re.compile(
    r"\bnp\.(sum|nansum|argmax|argmin|cumsum|cumprod|mean|average|median|std|var|max|min|"
    r"amax|amin|prod|diff|histogram|dot|matmul|einsum|abs|absolute|add|subtract|multiply|"
    r"divide|sqrt|exp|log|square|power|outer|inner|tensordot|convolve|correlate|flip|rot90|"
    r"maximum|minimum|bincount|count_nonzero|linalg)\b"
)
DRAWING = sorted((ROOT / "scenes").glob("*.py")) + sorted((ROOT / "scenes" / "kit").glob("*.py"))


@pytest.mark.parametrize("path", DRAWING, ids=lambda p: str(p.relative_to(ROOT)))
def test_scenes_compute_nothing(path):
    """Scene modules and their kit call no NumPy arithmetic and use no ``@``."""
    source = path.read_text(encoding="utf-8")
    assert not ARITHMETIC.findall(source), ARITHMETIC.findall(source)
    tree = ast.parse(source)
    matmuls = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.MatMult)]
    assert not matmuls, f"@ on lines {matmuls}"


def test_the_arithmetic_check_catches_what_it_should():
    leaks = "np.sum(x)\nnp.argmax(v)\nnp.cumsum(a)\nnp.histogram(w)\nnp.linalg.norm(x)"
    assert len(ARITHMETIC.findall(leaks)) == 5
    assert not ARITHMETIC.findall("np.asarray(x)\nnp.zeros(3)\nnp.array([1, 2])\nnp.sumo")
    assert any(isinstance(n, ast.MatMult) for n in ast.walk(ast.parse("a @ b")))


def test_no_file_points_outside_the_repository():
    outside = ("FAST_" + "MANIM", "../" + "shared")  # split so this file does not match
    for path in ROOT.rglob("*"):
        if path.suffix in {".py", ".md", ".sh", ".toml", ".cfg"} and ".venv" not in path.parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [word for word in outside if word in text], path


def loaded_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=ROOT,
    )
    return {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}


def test_listing_and_checking_parameters_does_not_load_manim():
    loaded = loaded_after(
        "from convanim import cli, registry, options, lecture, jobs, build, gallery\n"
        "from scenes.specs import sliding\n"
        "[s.make_trace(s.resolve()) for s in registry.SCENES.values()]"
    )
    assert "manim" not in loaded and "convcore" in loaded
