"""procsim in a notebook: tab completion, the results' display, warnings, progress, saving."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import procsim
from helpers import mm1, run_cli
from procsim.errors import ProcsimWarning
from procsim.study.run_feedback import TqdmProgress, choose_progress


def _study(rho: float = 0.8, **run: object) -> procsim.Study:
    config = mm1(rho, **run)
    config["targets"] = {"mean_cycle_time": {"kpi": "cycle_time_mean", "max": 10}}
    return procsim.from_configs({"current": config})


def test_dir_offers_the_public_names_for_tab_completion() -> None:
    names = dir(procsim)
    for name in ("compose", "run", "Results", "Study", "ProcsimWarning", "from_configs"):
        assert name in names
    assert "TYPE_CHECKING" not in names and "Any" not in names
    for name in names:  # every name offered resolves
        getattr(procsim, name)


@pytest.fixture(scope="module")
def small() -> procsim.Results:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProcsimWarning)
        return procsim.run(_study(replications=3, horizon=400, warmup=20), progress=False)


def test_html_display_is_the_kpi_table_not_the_dataclass(small: procsim.Results) -> None:
    page = small._repr_html_()
    assert "<table" in page and "cycle time, mean" in page
    assert "DataFrame" not in page and "kpis=" not in page
    # The warning about few replications is shown with the table.
    assert "only 3 replications" in page
    text = repr(small)
    assert text.startswith("<procsim.Results: current; 3 replication(s)>")
    assert "cycle time, mean" in text and "Results(study=" not in text


def test_kpi_table_cells_are_the_means_over_replications(small: procsim.Results) -> None:
    frame = small.kpi_table()
    per_rep = small.kpis[
        (small.kpis["metric"] == "cycle_time_mean") & (small.kpis["scenario"] == "current")
    ]["value"]
    assert len(per_rep) == 3
    cell = frame.loc["cycle time, mean", "current"]
    shown = float(cell.split("±")[0].replace(",", ""))
    assert shown == pytest.approx(per_rep.mean(), abs=0.01)
    assert frame.loc["cycle time, mean", "target"] == "<= 10.0 h"
    assert frame.loc["cycle time, mean", "status"].startswith("current: ")


def test_each_warning_is_raised_once_and_kept_in_results() -> None:
    with pytest.warns(ProcsimWarning) as record:
        results = procsim.run(_study(replications=3, horizon=400, warmup=20), progress=False)
    texts = [str(w.message) for w in record if issubclass(w.category, ProcsimWarning)]
    assert sorted(texts) == sorted(set(results.warnings))
    assert len(texts) == len(set(texts))
    # stacklevel: the warning points at the analyst's line, not inside procsim.
    assert all(Path(w.filename).name == "test_notebook.py" for w in record)


def test_model_warnings_come_before_the_replications() -> None:
    seen_at_first_run: list[int] = []
    with pytest.warns(ProcsimWarning) as record:

        def progress(done: int, total: int) -> None:
            if not seen_at_first_run:
                seen_at_first_run.append(len(record))

        procsim.run(_study(rho=1.3, replications=2, horizon=200, warmup=10), progress=progress)
    assert seen_at_first_run and seen_at_first_run[0] >= 1
    assert "offered load" in str(record[0].message)


def test_a_warn_callback_takes_the_warnings_instead() -> None:
    got: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        procsim.run(_study(rho=1.3, replications=2, horizon=200, warmup=10), False, got.append)
    assert any("offered load" in t for t in got)
    assert not [w for w in caught if issubclass(w.category, ProcsimWarning)]


def test_the_command_line_prints_a_warning_once_and_no_python_warning(tmp_path: Path) -> None:
    out = run_cli(
        "run.replications=3",
        "run.horizon=3w",
        "run.warmup=1w",
        f"hydra.run.dir={tmp_path / 'run'}",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    text = out.stdout + out.stderr
    assert text.count("only 3 replications") == 1
    assert "ProcsimWarning" not in text


def test_save_writes_figures_and_report_unless_told_not_to(
    small: procsim.Results, tmp_path: Path
) -> None:
    full = small.save(tmp_path / "full")
    assert (full / "report.html").is_file() and (full / "report.md").is_file()
    assert list((full / "figures").glob("*.png"))
    bare = small.save(tmp_path / "bare", figures=False, report=False)
    assert (bare / "tables" / "summary.csv").is_file()
    assert not (bare / "report.html").exists() and not (bare / "figures").exists()


def test_a_failing_figure_is_a_warning_and_the_tables_stay(
    small: procsim.Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import procsim.review.figures.run_figures as run_figures

    def broken(folder: Path, formats: tuple[str, ...] = ("png",)) -> dict[str, Path]:
        raise RuntimeError("no display")

    monkeypatch.setattr(run_figures, "make_figures", broken)
    with pytest.warns(ProcsimWarning, match="procsim-report"):
        folder = small.save(tmp_path / "run")
    assert (folder / "tables" / "summary.csv").is_file()


def test_tqdm_bar_counts_rounds_of_replications() -> None:
    bar = TqdmProgress()
    for done in range(1, 5):
        bar(done, 4)
    for done in range(1, 3):  # run.precision adds a round, counted from 1 again
        bar(done, 2)
    assert bar._bar.n == 6 and bar._bar.total == 6
    bar.close()


def test_progress_choice() -> None:
    def mine(done: int, total: int) -> None:
        return None

    assert choose_progress(mine) == (mine, None)
    assert choose_progress(False) == (None, None)
    assert choose_progress(None) == (None, None)  # not in Jupyter here
    callback, bar = choose_progress(True)
    assert isinstance(bar, TqdmProgress) and callback is bar


def test_cycle_efficiency_is_not_applicable_without_value_adding_stages() -> None:
    """Nobody said which stage adds value: no "cycle efficiency is 0" warning, no 0 in the
    table, a note saying why it is not measured and for which model."""
    current = mm1(0.5, replications=2, horizon=200, warmup=10)
    current["process"]["stages"]["serve"]["value"] = "necessary"
    marked = mm1(0.5, replications=2, horizon=200, warmup=10)  # marked value-adding
    study = procsim.from_configs({"current": current, "marked": marked})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ProcsimWarning)
        results = procsim.run(study, progress=False)
    assert caught  # (the few replications are warned of)
    assert not [w for w in caught if "efficiency" in str(w.message)]
    assert not [w for w in results.warnings if "efficiency" in w]
    measured = results.kpis[results.kpis["metric"] == "cycle_efficiency"]
    assert set(measured["scenario"]) == {"marked"}
    assert measured["value"].between(0, 1).all() and (measured["value"] > 0).all()
    (note,) = [n for n in results.notes if "cycle efficiency" in n]
    assert "not applicable for current" in note and "value_adding" in note
