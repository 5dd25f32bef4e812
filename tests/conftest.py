"""Shared pytest fixtures. Keep generic: every test module may use these."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module, or skip the test when PyTorch is not installed.

    Use together with ``@pytest.mark.torch``. Only tests import torch; convcore never does.
    """
    return pytest.importorskip("torch")


@pytest.fixture(autouse=True, scope="session")
def manim_media_in_a_temporary_folder(tmp_path_factory):
    """Scenes built in tests keep manim's text cache out of the repository's media/."""
    from manim import config

    config.media_dir = str(tmp_path_factory.mktemp("manim-media"))
