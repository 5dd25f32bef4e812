"""Shared pytest fixtures. Keep generic: every test module may use these."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module, or skip the test when PyTorch is not installed.

    Use together with ``@pytest.mark.torch``. Only tests import torch; convcore never does.
    """
    return pytest.importorskip("torch")
