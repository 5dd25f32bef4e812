"""Scene tests: manim's text cache goes to a temporary folder, not the repository's media/."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def manim_media_in_a_temporary_folder(tmp_path_factory):
    from manim import config

    config.media_dir = str(tmp_path_factory.mktemp("manim-media"))
