"""Shared test set-up for the CNN: skip ``needs_cuda`` without a GPU, one thread, RNG state restored."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "needs_cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _restore_rng_state():
    """A test may seed or draw from global RNGs; the next test must not notice."""
    torch_state = torch.random.get_rng_state()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    numpy_state = np.random.get_state()
    python_state = random.getstate()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the CI machine has two cores shared by everything
    yield
    torch.set_num_threads(threads)
    torch.random.set_rng_state(torch_state)
    if cuda_states is not None:
        torch.cuda.set_rng_state_all(cuda_states)
    np.random.set_state(numpy_state)
    random.setstate(python_state)
