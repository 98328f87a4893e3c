"""Shared fixtures for the inspector tests: one real inspector (Tesseract, ZIP directory) per session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")


@pytest.fixture(scope="session")
def address_inspector():
    """The real inspector without the CNN stage: address reading and decisions only."""
    from mailpiece.inspect.factory import build_inspector

    return build_inspector(cnn=False)


@pytest.fixture(scope="session")
def full_inspector():
    """The real inspector with the shipped CNN on the CPU."""
    import torch

    from mailpiece.inspect.factory import build_inspector

    torch.set_num_threads(1)
    return build_inspector(cnn=True, device="cpu")
