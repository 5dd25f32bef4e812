"""Shared pytest fixtures. Keep generic and Manim-free: convcore's tests must not load it."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def torch():
    """The ``torch`` module, or skip the test when PyTorch is not installed.

    Use together with ``@pytest.mark.torch``. Only tests import torch; convcore never does.
    """
    return pytest.importorskip("torch")


@pytest.fixture(scope="module")
def torch1(torch):
    """``torch`` on one thread for a module's tests, restored afterwards.

    On tensors this small a thread pool only waits: 100× slower on a busy machine.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)
