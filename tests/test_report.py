"""The feasibility-review report: what_changed rows, report content, the command, the browser."""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import procsim
from helpers import mm1
from procsim.cli.report import main
from procsim.model.kpi_catalogue import CATALOGUE
from procsim.review.report.build import build_report
from procsim.review.report.embedded_figures import FIGURES
from procsim.review.report.what_changed import what_changed
from procsim.review.terminal import format_value

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "check_report_browser.sh"
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


# --- what_changed --------------------------------------------------------------------------


def base() -> dict[str, Any]:
    """Intake -> review (-> back to intake 1 in 5), two roles, an SLA and a target."""
    return copy.deepcopy(
        {
            "process": {
                "name": "small",
                "time_unit": "hours",
                "start": "intake",
                "stages": {
                    "intake": {
                        "role": "clerk",
                        "duration": {"dist": "expon", "mean": "1h"},
                        "next": "review",
                    },
                    "review": {
                        "role": "manager",
                        "duration": {"dist": "gamma", "mean": 2, "cv": 0.5},
                        "value": "value_adding",
                        "next": {"end": 0.8, "intake": 0.2},
                    },
                },
            },
            "roles": {"clerk": {"cost_per_hour": 30}, "manager": {"cost_per_hour": 80}},
            "staffing": {"clerk": 1, "manager": 1},
            "arrivals": {"interarrival": {"dist": "expon", "mean": 1.5}},
            "sla": {"day": {"within": "24h", "target": 0.8}},
            "targets": {"fast": {"kpi": "cycle_time_mean", "max": "8h"}},
            "run": {"replications": 5},
        }
    )


def rows(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    assert list(frame.columns) == ["area", "item", "current", "proposed"]
    return [tuple(r) for r in frame.to_numpy().tolist()]


def test_what_changed_nothing_for_equivalent_notation() -> None:
    proposed = base()
    stages = proposed["process"]["stages"]
    stages["intake"]["next"] = {"review": 1.0}  # next: b is next: {b: 1.0}
    stages["intake"]["duration"] = {"dist": "expon", "mean": "60min"}  # 1h in other words
    stages["intake"]["value"] = "necessary"  # the default, written out
    stages["gone"] = None  # a scenario's null for something absent
    proposed["staffing"]["ghost"] = None
    assert rows(what_changed(base(), proposed)) == []


def test_what_changed_stage_removed() -> None:
    proposed = base()
    proposed["process"]["stages"]["review"] = None
    proposed["process"]["stages"]["intake"]["next"] = {"review": None, "end": 1.0}
    assert rows(what_changed(base(), proposed)) == [
        (
            "stages",
            "review",
            "manager, gamma(mean=2, cv=0.5), next: end 0.8, intake 0.2",
            "removed",
        ),
        ("routing", "intake → review", "1", "—"),
        ("routing", "intake → end", "—", "1"),
    ]


def test_what_changed_stage_added() -> None:
    proposed = base()
    stages = proposed["process"]["stages"]
    stages["intake"]["next"] = {"review": None, "scan": 1.0}
    stages["scan"] = {
        "role": None,
        "duration": {"dist": "constant", "value": "30min"},
        "next": "review",
    }
    assert rows(what_changed(base(), proposed)) == [
        ("stages", "scan", "—", "added: delay, constant(value=30min), next: review"),
        ("routing", "intake → review", "1", "—"),
        ("routing", "intake → scan", "—", "1"),
    ]


def test_what_changed_edge_probability() -> None:
    proposed = base()
    proposed["process"]["stages"]["review"]["next"] = {"end": 0.95, "intake": 0.05}
    assert rows(what_changed(base(), proposed)) == [
        ("routing", "review → end", "0.8", "0.95"),
        ("routing", "review → intake", "0.2", "0.05"),
    ]


def test_what_changed_staffing() -> None:
    proposed = base()
    proposed["staffing"]["clerk"] = 2
    assert rows(what_changed(base(), proposed)) == [("staffing", "clerk", "1", "2")]


def test_what_changed_duration() -> None:
    proposed = base()
    proposed["process"]["stages"]["review"]["duration"] = {"dist": "gamma", "mean": 1.5, "cv": 0.5}
    assert rows(what_changed(base(), proposed)) == [
        ("stages", "review: duration", "gamma(mean=2, cv=0.5)", "gamma(mean=1.5, cv=0.5)")
    ]


def test_what_changed_roles_costs_arrivals_slas_targets() -> None:
    proposed = base()
    stages = proposed["process"]["stages"]
    stages["intake"].update(role=None, cost=1.5, value="waste")
    proposed["staffing"].update(clerk=None, pool=2)
    proposed["roles"].update(clerk=None, pool={"cost_per_hour": 50}, manager={"cost_per_hour": 90})
    proposed["arrivals"]["interarrival"] = {"dist": "expon", "mean": "1h"}
    proposed["sla"]["day"]["within"] = "12h"
    proposed["targets"]["fast"] = {"kpi": "cycle_time_mean", "max": "6h"}
    assert rows(what_changed(base(), proposed)) == [
        ("stages", "intake: role", "clerk", "none (a delay)"),
        ("stages", "intake: value", "necessary", "waste"),
        ("stages", "intake: cost", "0", "1.5"),
        ("staffing", "clerk", "1 at 30 per hour", "—"),
        ("staffing", "pool", "—", "2 at 50 per hour"),
        ("role cost", "manager", "80 per hour", "90 per hour"),
        ("arrivals", "interarrival time", "expon(mean=1.5)", "expon(mean=1h)"),
        (
            "SLA",
            "day",
            "within 24h, arrival → completion, target 80 %",
            "within 12h, arrival → completion, target 80 %",
        ),
        ("target", "fast", "cycle_time_mean <= 8h", "cycle_time_mean <= 6h"),
    ]


# --- a real run folder -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A merged_approval run saved by the Python API (3 short replications)."""
    folder = tmp_path_factory.mktemp("run")
    study = procsim.compose(
        scenario="merged_approval",
        overrides=["run.replications=3", "run.horizon=2w", "run.warmup=2d"],
    )
    procsim.run(study).save(folder)
    return folder


@pytest.fixture(scope="module")
def report(run_folder: Path) -> tuple[str, str]:
    html_path, md_path = build_report(run_folder)
    assert html_path == run_folder / "report.html"
    assert md_path == run_folder / "report.md"
    return html_path.read_text(encoding="utf-8"), md_path.read_text(encoding="utf-8")


class Checker(HTMLParser):
    """Checks that elements nest and close; collects the tables' cell texts."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input", "source", "col", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None
        self.in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.in_svg += 1
        if tag in self.VOID and not self.in_svg:
            return
        self.stack.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <path ... /> inside an inline SVG

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        if tag == "svg":
            self.in_svg -= 1
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(" ".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None and data.strip():
            self.cell.append(data.strip())


def parse(text: str) -> Checker:
    checker = Checker()
    checker.feed(text)
    checker.close()
    assert checker.stack == [], f"unclosed elements: {checker.stack}"
    return checker


def test_report_content(run_folder: Path, report: tuple[str, str]) -> None:
    page, md = report
    info = json.loads((run_folder / "run.json").read_text())
    text = html.unescape(page)
    command = "procsim run.replications=3 run.horizon=2w run.warmup=2d"
    for doc in (text, md):
        assert "approval_chain" in doc
        assert "merged_approval" in doc
        assert command in doc  # the API saves no command: rebuilt from the overrides
        assert info["descriptions"]["merged_approval"] in doc
        for heading in ("What changed", "Evaluation", "Offered load", "Caveats", "Run settings"):
            assert heading in doc
        assert "two_level_approval" in doc  # the added stage, in "what changed"
        assert "Only 3 replications" in doc or "only 3 replications" in doc
    glance = md.split("## At a glance", 1)[1].split("\n## ", 1)[0]
    # Counts that restate the cycle time are no headline improvement of their own.
    for count in ("throughput", "cases completed", "still open", "work in progress"):
        assert count not in glance
    assert "```bash\nprocsim run.replications=3" in md
    assert re.search(r"<pre><code>procsim run\.replications=3", page)


def eval_rows(page: str) -> dict[str, list[str]]:
    tables = parse(page).tables
    (table,) = [t for t in tables if t and t[0][:3] == ["metric", "before", "after"]]
    assert table[0][3].startswith("change (paired") and table[0][4:] == ["target", "met"]
    return {r[0]: r for r in table[1:]}


def test_evaluation_table(run_folder: Path, report: tuple[str, str]) -> None:
    page, md = report
    table = eval_rows(page)
    comparison = pd.read_parquet(run_folder / "tables" / "comparison.parquet")
    summary = pd.read_parquet(run_folder / "tables" / "summary.parquet")
    stats = summary.set_index(["scenario", "metric", "entity"])
    checked = 0
    for r in comparison.itertuples():
        name = CATALOGUE[r.metric].label + (f" [{r.entity}]" if r.entity else "")
        if name not in table:
            continue  # per-stage KPIs are in the tables, not in the report
        row = table[name]
        before = stats.loc[("current", r.metric, r.entity)]
        assert row[1] == format_value(r.metric, before["mean"], before["half_width"], "hours")
        md_row = next(line for line in md.splitlines() if line.startswith(f"| {name} |"))
        if not r.significant:
            assert row[3].startswith("no significant change"), row
            assert "| no significant change" in md_row
        else:
            assert re.match(r"^[+−]\d", row[3]), row
            assert "no significant change" not in md_row
            if CATALOGUE[r.metric].unit == "share":
                # A proportion changes in percentage points: the paired difference x 100.
                points = f"{r.diff * 100:+.1f} pp".replace("-", "−")
                assert row[3].startswith(points), row
        checked += 1
    assert checked >= 10
    assert comparison["significant"].isin([False]).any()  # the case the report must word
    assert table["cycle time, mean"][4] == "<= 48.0 h"
    assert table["cycle time, mean"][5].split()[0] in ("met", "missed", "uncertain")
    assert table["utilization [approver]"][1] == "—"


def test_html_is_self_contained(report: tuple[str, str]) -> None:
    page, md = report
    assert not EXTERNAL.search(page)
    assert not re.search(r"\]\(\s*(?:https?:)?//", md)
    assert "<style>" in page and "@media print" in page and "size: A4" in page
    assert "<script" not in page and "<link" not in page
    parse(page)


def test_figures_embedded_in_order(run_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder, ignore=shutil.ignore_patterns("figures", "report.*"))
    figures = folder / "figures"
    figures.mkdir()
    png = (  # a 1x1 PNG
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7"
        b"\x9a\xa0\xa0\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    (figures / "utilization.png").write_bytes(png)
    (figures / "utilization.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    (figures / "cycle_time_distribution.png").write_bytes(png)
    (figures / "wip_over_time.svg").write_text(
        "<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
        "<metadata><a href='https://example.org/'>x</a></metadata><rect width='5' height='5'/>"
        "</svg>"
    )
    html_path, md_path = build_report(folder)
    page, md = html_path.read_text(), md_path.read_text()
    assert page.count("data:image/png;base64,") == 2
    assert "<rect width='5' height='5'/>" in page and "<?xml" not in page  # inline SVG
    assert not EXTERNAL.search(page)
    order = [page.index(f"id='fig-{n}'") for n in FIGURES if n in page]
    assert order == sorted(order) and len(order) == 3
    for name in ("cycle_time_distribution", "utilization", "wip_over_time"):
        assert html.escape(FIGURES[name]) in page
        assert FIGURES[name] in md
    assert "](figures/utilization.png)" in md and "](figures/wip_over_time.svg)" in md
    assert "stage_waiting" not in md
    parse(page)


def test_config_text_is_escaped(run_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder, ignore=shutil.ignore_patterns("figures", "report.*"))
    info = json.loads((folder / "run.json").read_text())
    info["descriptions"]["merged_approval"] = "<script>alert(1)</script> & <b>bold</b>"
    (folder / "run.json").write_text(json.dumps(info))
    html_path, md_path = build_report(folder)
    page, md = html_path.read_text(), md_path.read_text()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
    assert "<script>" not in md and "&lt;script>" in md


def test_offered_load_flags(run_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder, ignore=shutil.ignore_patterns("figures", "report.*"))
    info = json.loads((folder / "run.json").read_text())
    info["offered_load"]["current"].update(clerk=0.9, finance=1.2)
    (folder / "run.json").write_text(json.dumps(info))
    _, md_path = build_report(folder)
    md = md_path.read_text()
    assert "| clerk | 90 % high | 45 % |" in md
    assert "| finance | 120 % unstable | 60 % |" in md
    assert "| director | 50 % | 50 % |" in md


def test_figure_names_match_plots() -> None:
    from procsim.review.figures import run_figures

    assert tuple(FIGURES) == tuple(run_figures.FIGURES)


def test_run_without_redesign(tmp_path: Path) -> None:
    results = procsim.run(procsim.from_configs({"current": mm1(0.5, horizon=300, warmup=0)}))
    results.save(tmp_path)
    html_path, md_path = build_report(tmp_path)
    page, md = html_path.read_text(), md_path.read_text()
    assert "Feasibility review: mm1 (current process)" in md
    assert "## Summary" in md and "## Evaluation" not in md and "What changed" not in md
    assert "No warm-up" in md  # run.warmup=0 earns a caveat
    assert "without a command" in md  # from_configs: nothing to rebuild a command from
    tables = parse(page).tables
    assert any(t[0][:2] == ["metric", "mean ± 95% CI half-width"] for t in tables)


# --- the command -----------------------------------------------------------------------------


def test_main_rebuilds_the_report(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder, ignore=shutil.ignore_patterns("figures", "report.*"))
    main([str(folder)])
    out = capsys.readouterr().out.strip()
    assert out == str(folder / "report.html")
    assert (folder / "report.html").stat().st_size > 0
    assert (folder / "report.md").stat().st_size > 0
    drawn = sorted((folder / "figures").glob("*.png"))
    assert drawn  # main() drew the figures again, and the report embeds them
    page = (folder / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len([p for p in drawn if p.stem in FIGURES])


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: Path("/nonexistent"), "no such folder"),
        (lambda tmp: tmp, "run.json is missing"),
        (lambda tmp: tmp / "file.txt", "not a folder"),
    ],
    ids=["missing", "not-a-run-folder", "a-file"],
)
def test_main_bad_input(
    make: Any, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file.txt").write_text("x")
    path = make(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main([str(path)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("procsim-report: error: ") and err.count("\n") == 1
    assert str(path) in err and expected in err and "Hint:" in err
    assert "Traceback" not in err


def test_main_missing_table(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder, ignore=shutil.ignore_patterns("figures", "report.*"))
    for suffix in ("csv", "parquet"):
        (folder / "tables" / f"comparison.{suffix}").unlink()
    with pytest.raises(SystemExit) as exc:
        main([str(folder), "--no-figures"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "tables/comparison.parquet (or .csv) is missing" in err and str(folder) in err
    assert "Traceback" not in err and not (folder / "report.html").exists()


def test_main_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "procsim-report" in out and "run folder" in out and "without" in out


# --- the browser -----------------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("chromium") is None,
    reason="chromium is not installed (Debian: apt-get install -y chromium)",
)
def test_report_renders_in_headless_chromium(run_folder: Path, tmp_path: Path) -> None:
    """The report with its figures, printed by Chromium: every embedded PNG must reach the PDF
    decoded, at its own pixel size (a broken data URI leaves a small icon or nothing), and
    at full page width, so that its text keeps its size on A4 paper."""
    from procsim.review.figures.run_figures import make_figures

    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder, ignore=shutil.ignore_patterns("figures", "report.*"))
    drawn = [p for p in make_figures(folder).values() if p.suffix == ".png"]
    build_report(folder)
    out = tmp_path / "browser"
    done = subprocess.run(
        ["bash", str(SCRIPT), str(folder), str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shot, pdf = out / "report_screenshot.png", out / "report.pdf"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000
    if shutil.which("pdfimages") is None:  # poppler-utils: the image check needs it
        return
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()[2:]
    rows = [x.split() for x in listing]
    printed = [(int(c[3]), int(c[4]), int(c[12])) for c in rows if c[2] == "image"]

    def size(png: Path) -> tuple[int, int]:
        data = png.read_bytes()  # IHDR: width and height right after the signature
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

    assert len(drawn) >= 5
    assert sorted((w, h) for w, h, _ in printed) == sorted(size(p) for p in drawn)
    # 1050 px at no more than 160 pixels per inch: printed at least 6.5 in (165 mm) wide.
    assert all(ppi <= 160 for _, _, ppi in printed), printed


def test_browser_script_rejects_a_folder_without_report(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "report.html" in done.stderr and "procsim-report" in done.stderr


def test_case_types_get_a_table_per_type_and_scenario(tmp_path: Path) -> None:
    """Two case types, current and a redesign: a row per (type, scenario), in the summary's
    figures, and no "gave up" column where nobody can give up."""
    config = mm1(0.6, horizon=400, warmup=40, replications=2)
    config["case_types"] = {"small": {"share": 0.7}, "large": {"share": 0.3}}
    faster = copy.deepcopy(config)
    faster["process"]["stages"]["serve"]["duration"] = {"dist": "expon", "mean": 0.5}
    results = procsim.run(procsim.from_configs({"current": config, "faster": faster}))
    folder = results.save(tmp_path / "run")
    _, md_path = build_report(folder)
    md = md_path.read_text(encoding="utf-8")
    section = md.split("## Case types", 1)[1].split("\n## ", 1)[0]
    lines = [x for x in section.splitlines() if x.startswith("| ")]
    header, body = lines[0], lines[1:]
    assert "cost per case" in header and "gave up" not in header
    assert [tuple(c.strip() for c in x.split("|")[1:3]) for x in body] == [
        ("small", "current"),
        ("small", "faster"),
        ("large", "current"),
        ("large", "faster"),
    ]
    mean = results.summary.set_index(["scenario", "metric", "entity"])["mean"]
    arrived = mean[("current", "type_arrived", "small")]
    assert f"{arrived:,.1f}" in body[0] or f"{arrived:.4g}" in body[0]


def test_differences_of_proportions_read_in_percentage_points_everywhere() -> None:
    """The ranking's 'vs best' column uses the same words as the evaluation table: a
    difference of two SLA attainments of -0.193 is -19.3 percentage points."""
    from procsim.review.report.values import signed

    assert signed("sla_attainment", -0.193, "hours") == "−19.3 pp"
    assert signed("first_pass_yield", 0.041, "hours") == "+4.1 pp"
    assert signed("cycle_time_mean", -3.5, "hours") == "−3.50 h"
