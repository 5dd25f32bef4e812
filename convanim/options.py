"""Command-line options and lecture-file keys, generated from the scenes' declarations.

Every parameter a scene declares (:class:`scenes.kit.params.Param`) becomes one option of
``convanim build`` (its help names the scenes that take it) and one key of a lecture
file's ``[[video]]`` table. Both are parsed by the parameter's own kind, so the command
line and lecture files accept the same values and report the same errors.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click

from convanim import registry
from scenes.kit.params import BOOL, Param, SceneSpec
from scenes.kit.theme import THEME_NAMES

#: Build settings (not scene parameters): name → allowed values.
SETTINGS = {
    "quality": ("low", "medium", "high", "4k"),
    "format": ("mp4", "webm", "gif", "png"),
    "theme": THEME_NAMES,
    "lang": ("en", "zh"),
}


def declared(specs: Iterable[SceneSpec] | None = None) -> dict[str, tuple[Param, list[str]]]:
    """Each parameter name → (its first declaration, the scenes that take it)."""
    found: dict[str, tuple[Param, list[str]]] = {}
    for spec in specs if specs is not None else registry.SCENES.values():
        for param in spec.params:
            found.setdefault(param.name, (param, []))[1].append(spec.name)
    return found


def option_help(name: str, specs: Iterable[SceneSpec] | None = None, name_scenes=True) -> str:
    """The help of option ``name``: each different declaration's help, followed by the
    scenes that declare it (``--kernel`` is a matrix for most scenes, a name or a matrix
    for feature-maps)."""
    helps: dict[str, list[SceneSpec]] = {}
    for spec in specs if specs is not None else registry.SCENES.values():
        for param in spec.params:
            if param.name == name:
                helps.setdefault(param.help, []).append(spec)
    if not name_scenes:
        return " / ".join(helps)
    return " ".join(f"{text} [{scene_names(scenes)}]" for text, scenes in helps.items())


def scene_names(specs: list[SceneSpec]) -> str:
    """The scenes' names, those of a group other than the lecture's counted together when
    there are more than 3 (``the 17 conv-arithmetic videos``)."""
    members: dict[str, list[str]] = {}
    for spec in specs:
        members.setdefault(spec.group, []).append(spec.name)
    names = []
    for group, scenes in members.items():
        if group != "lecture" and len(scenes) > 3:
            names.append(f"the {len(scenes)} {group} videos")
        else:
            names.extend(scenes)
    return ", ".join(names)


def scene_options(specs: Iterable[SceneSpec] | None = None, name_scenes: bool = True):
    """A decorator adding one string option per declared parameter (parsed later, per scene)."""

    def decorate(func):
        for name, (param, _scenes) in reversed(declared(specs).items()):
            text = option_help(name, specs, name_scenes)
            if param.kind is BOOL:
                flags = f"{param.option}/--no-{param.option[2:]}"
                option = click.option(flags, name, default=None, help=text)
            else:
                metavar = param.kind.metavar
                option = click.option(param.option, name, metavar=metavar, help=text)
            func = option(func)
        return func

    return decorate


def given(options: dict) -> dict[str, str]:
    """The scene options the user set (raw text), by parameter name."""
    names = declared()
    return {k: v for k, v in options.items() if k in names and v is not None}


def parse_for(spec: SceneSpec, raw: dict[str, str]) -> dict:
    """Parse the user's option texts for one scene (``ValueError`` naming the option)."""
    return {
        key: spec.param(key).kind.text(text, spec.param(key).option) for key, text in raw.items()
    }


def parse_toml(spec: SceneSpec, key: str, value, base: Path):
    """Check one lecture-file value for one scene (``ValueError`` naming the key)."""
    return spec.param(key).kind.value(value, key, base)
