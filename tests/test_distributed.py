"""Replications on Dask and Ray (local clusters) give exactly the local results."""

from __future__ import annotations

import builtins
from typing import Any

import pandas as pd
import pytest

import procsim
from procsim.errors import ProcsimError
from procsim.study.backends import batches


def study(backend: str) -> procsim.Study:
    return procsim.compose(
        scenario="merged_approval",
        overrides=["run.replications=4", "run.horizon=3w", "run.warmup=1w",
                   f"run.backend={backend}", "run.workers=2"],
    )  # fmt: skip


@pytest.fixture(scope="module")
def local() -> procsim.Results:
    return procsim.run(study("processes"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["dask", "ray"])
def test_a_cluster_gives_the_same_tables(backend: str, local: procsim.Results) -> None:
    remote = procsim.run(study(backend))
    pd.testing.assert_frame_equal(remote.kpis, local.kpis)
    assert remote.comparison is not None and local.comparison is not None
    pd.testing.assert_frame_equal(remote.comparison, local.comparison)


def test_batches_cover_every_task_in_order() -> None:
    tasks = [(i,) for i in range(23)]
    parts = batches(tasks, workers=2)
    assert [t for b in parts for t in b] == tasks
    assert len(parts) <= 8


def test_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(ProcsimError, match=r"run\.backend: unknown backend"):
        study("spark").build()


def test_a_missing_package_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_dask(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("dask"):
            raise ImportError("No module named 'dask'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(ProcsimError, match=r"pip install 'procsim\[dask\]'"):
        procsim.run(study("dask"))
