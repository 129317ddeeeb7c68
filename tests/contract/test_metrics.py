"""One definition of a pick and of the metrics, on every backend.

Grades written by the real grading code, with WINs, LOSSes, PUSHes, VOIDs, PASSes and a skipped
slate, over two markets, two runs, three systems and days in two months and one long before. Every
view, report query and CLI table that shows a pick count, hit rate, ROI, MAE or line MAE must show
what is recomputed here in plain Python from the rows themselves:

- a pick is a WIN, LOSS or PUSH (a VOID is none); hit rate = wins / (wins + losses);
- units = what the picks won at their prices; ROI = units / picks;
- MAE = mean |mean - actual| over predictions with both; line MAE = mean |line - actual|.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from statistics import mean

import pandas as pd
import pytest
from click.testing import CliRunner

from shared.cli.main import main
from shared.contract.events import LIVE_RUN
from shared.domain import intervals, metrics
from shared.handlers import grading
from shared.ops import demo

BACKTEST = "backtest-metrics"
SYSTEMS = ("a", "b", "ensemble")
LINES = (20.5, 20.0, 15.5, 10.0, 25.5, 7.0)  # integer lines push when the actual lands on them
DID_NOT_PLAY = 4  # this entity's picks are VOID
PUSHED = 1  # this entity's actual equals its (integer) line
DAYS = {  # (market, run) -> slates
    ("nba_points", LIVE_RUN): [dt.date(2025, 12, 20), *(dt.date(2026, 1, 30) + dt.timedelta(days=i) for i in range(4))],
    ("mlb_strikeouts", LIVE_RUN): [dt.date(2026, 1, 31), dt.date(2026, 2, 1)],
    ("nba_points", BACKTEST): [dt.date(2026, 1, 29), dt.date(2026, 1, 30), dt.date(2026, 1, 31)],
}
SKIPPED = ("nba_points", LIVE_RUN, dt.date(2026, 1, 31), "b")  # no model: the slate is PASS without a mean


def _recommendation(mean_: float, line: float) -> str:
    edge = mean_ - line
    return "OVER" if edge >= 1 else "UNDER" if edge <= -1 else "PASS"


def _slate(market: str, run_id: str, day: dt.date, rng: random.Random) -> pd.DataFrame:
    """One game's predictions and outcomes, graded as the grading handler grades them."""
    game_id = f"{market}-{day:%Y%m%d}"
    outcomes, predictions = [], []
    for i, line in enumerate(LINES):
        actual = line if i == PUSHED else float(round(line + rng.uniform(-7, 7)))
        played = i != DID_NOT_PLAY
        outcomes.append({"entity_id": f"e{i}", "status": "played" if played else "dnp",
                         "actual": actual if played else None})  # fmt: skip
        for system_id in SYSTEMS:
            skipped = (market, run_id, day, system_id) == SKIPPED
            mean_ = line + (3.5 if not played else rng.uniform(-4, 4))
            predictions.append({
                "run_id": run_id, "market": market, "game_date": day, "game_id": game_id, "system_id": system_id,
                "entity_id": f"e{i}", "model_id": None if skipped else f"{market}-{system_id}",
                "model_version": None if skipped else "v1", "line": line, "mean": None if skipped else mean_,
                "p_over": None if skipped else 0.55, "p_push": None if skipped else 0.0,
                "recommendation": "PASS" if skipped else _recommendation(mean_, line),
                "over_price": 120 if i == 2 else (None if i == 5 else -110),
                "under_price": -140 if i == 2 else (None if i == 5 else -110),
            })  # fmt: skip
    return grading.grade(pd.DataFrame(predictions), pd.DataFrame(outcomes))


def _known(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


@pytest.fixture(scope="module")
def grades() -> pd.DataFrame:
    rng = random.Random(18)
    frame = pd.concat([_slate(m, r, d, rng) for (m, r), days in DAYS.items() for d in days], ignore_index=True)
    results = set(frame["result"].dropna())
    assert results == {"WIN", "LOSS", "PUSH", "VOID"} and frame["result"].isna().any()  # PASSes too
    assert frame["mean"].isna().any() and frame["price"].isin([120, -140]).any()
    return frame


@pytest.fixture(scope="module")
def rows(grades: pd.DataFrame) -> list[dict]:
    """The grade rows as plain Python values (missing is None)."""
    return [{k: v if _known(v) else None for k, v in r.items()} for r in grades.to_dict("records")]


@pytest.fixture
def warehouse(backend, grades):
    backend.warehouse.upsert("grades", grades)
    return backend.warehouse


# --- the numbers, recomputed from the rows --------------------------------------------------


def _won(row: dict) -> float:
    if row["result"] == "WIN":
        return row["price"] / 100 if row["price"] > 0 else 100 / -row["price"]
    return -1.0 if row["result"] == "LOSS" else 0.0


def expected(rows: list[dict]) -> dict:
    picks = [r for r in rows if r["result"] in ("WIN", "LOSS", "PUSH")]
    wins, losses = sum(r["result"] == "WIN" for r in picks), sum(r["result"] == "LOSS" for r in picks)
    units = sum(_won(r) for r in picks)
    errors = [abs(r["mean"] - r["actual"]) for r in rows if r["mean"] is not None and r["actual"] is not None]
    line_errors = [abs(r["line"] - r["actual"]) for r in rows if r["actual"] is not None]
    return {
        "predictions": len(rows),
        "graded": sum(r["actual"] is not None for r in rows),
        "picks": len(picks),
        "wins": wins,
        "losses": losses,
        "pushes": sum(r["result"] == "PUSH" for r in picks),
        "voids": sum(r["result"] == "VOID" for r in rows),
        "hit_rate": wins / (wins + losses) if wins + losses else None,
        "units": units if picks else None,
        "roi": units / len(picks) if picks else None,
        "mae_rows": len(errors),
        "mae": mean(errors) if errors else None,
        "line_mae": mean(line_errors) if line_errors else None,
    }


def by(rows: Iterable[dict], key: Callable[[dict], tuple]) -> dict[tuple, dict]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return {k: expected(group) for k, group in groups.items()}


def _plain(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if _known(value) else None


def assert_shows(
    frame: pd.DataFrame, keys: list[str], want: dict[tuple, dict], columns: dict[str, str], printed: bool = False
) -> None:
    """Each row of `frame`, found by `keys`, shows `want`'s numbers (shown column -> recomputed name);
    `printed`: as the CLI prints them, to three decimals."""
    shown = {tuple(_plain(r[k]) for k in keys): r for r in frame.to_dict("records")}
    assert set(shown) == set(want)
    for key, numbers in want.items():
        for column, name in columns.items():
            value, wanted = _plain(shown[key][column]), numbers[name]
            assert (value is None) == (wanted is None), (key, column, value, wanted)
            close = pytest.approx(wanted, abs=5e-4) if printed else pytest.approx(wanted)
            assert wanted is None or float(value) == close, (key, column, value, wanted)


METRICS = {c: c for c in ("graded", "picks", "hit_rate", "mae", "line_mae", "units", "roi")}
RESULTS = {c: c for c in ("wins", "losses", "pushes", "voids")}
SYSTEM = ["market", "run_id", "system_id"]


def per_system(row: dict) -> tuple:
    return tuple(row[k] for k in SYSTEM)


# --- views ------------------------------------------------------------------------------------


def test_a_void_is_no_pick_and_a_push_decides_nothing(warehouse, rows):
    board = warehouse.sql("SELECT * FROM propflow.model_leaderboard")
    assert (board["picks"] == board["wins"] + board["losses"] + board["pushes"]).all()
    assert (board["voids"] > 0).all() and (board["pushes"] > 0).all()
    assert_shows(board, SYSTEM, by(rows, per_system), {**METRICS, **RESULTS, "predictions": "predictions"})


def test_the_daily_view_per_model_version_and_day(warehouse, rows):
    daily = warehouse.sql("SELECT * FROM propflow.model_daily_performance")
    keys = [*SYSTEM, "model_version", "game_date"]
    want = by(rows, lambda r: tuple(r[k] for k in keys))
    assert_shows(daily, keys, want, {**{c: c for c in METRICS if c != "roi"}, **RESULTS})


def test_system_performance_is_each_markets_last_30_days(warehouse, rows):
    last = {m: max(r["game_date"] for r in rows if r["market"] == m) for m in {r["market"] for r in rows}}
    recent = [r for r in rows if r["game_date"] > last[r["market"]] - dt.timedelta(days=30)]
    assert len(recent) < len(rows)  # the December slate is out
    columns = {c: c for c in ("picks", "hit_rate", "mae", "line_mae", "roi")}
    assert_shows(warehouse.sql("SELECT * FROM propflow.system_performance"), SYSTEM, by(recent, per_system), columns)


def test_grade_metrics_counts_each_row_once(warehouse, rows):
    counted = warehouse.sql(
        "SELECT COUNTIF(pick) AS picks, COUNT(hit) AS decided, COUNT(pick_units) AS staked, "
        "COUNTIF(graded) AS graded, COUNT(*) AS n FROM propflow.grade_metrics"
    ).iloc[0]
    numbers = expected(rows)
    assert (counted["picks"], counted["staked"], counted["graded"], counted["n"]) == (
        numbers["picks"], numbers["picks"], numbers["graded"], len(rows))  # fmt: skip
    assert counted["decided"] == numbers["wins"] + numbers["losses"]


# --- report queries and CLI tables ---------------------------------------------------------------


def _edge_bucket(row: dict) -> int:
    edge = abs(row["mean"] - row["line"])
    return next((i for i, top in enumerate((1, 2, 3, 5)) if edge < top), 4)


@pytest.mark.parametrize(("market", "run_id"), list(DAYS))
def test_report_queries(warehouse, rows, market, run_id):
    run = [r for r in rows if (r["market"], r["run_id"]) == (market, run_id)]
    params = {"market": market, "run_id": run_id}
    board = warehouse.query("backtest_report", production_only=False, **params)
    assert_shows(board, ["system_id"], by(run, lambda r: (r["system_id"],)), METRICS)
    live = {(r["market"], r["game_id"], r["entity_id"]) for r in rows if r["run_id"] == LIVE_RUN}
    produced = [r for r in run if (r["market"], r["game_id"], r["entity_id"]) in live]
    board = warehouse.query("backtest_report", production_only=True, **params)
    assert_shows(board, ["system_id"], by(produced, lambda r: (r["system_id"],)), METRICS)

    daily = warehouse.query("report_daily", **params)
    want = by(run, lambda r: (r["system_id"], r["game_date"]))
    for numbers in want.values():
        numbers["units"] = numbers["units"] or 0.0  # a day without picks won nothing
    assert_shows(daily, ["system_id", "game_date"], want, {"picks": "picks", "units": "units"})

    monthly = warehouse.query("report_monthly", **params)
    want = by(run, lambda r: (r["system_id"], f"{r['game_date']:%Y-%m}"))
    assert_shows(monthly, ["system_id", "month"], want, {"graded": "mae_rows", "mae": "mae", "line_mae": "line_mae"})

    edges = warehouse.query("report_edge_buckets", **params)
    picks = [r for r in run if r["result"] in ("WIN", "LOSS", "PUSH")]
    want = by(picks, lambda r: (r["system_id"], _edge_bucket(r)))
    columns = {"picks": "picks", "wins": "wins", "losses": "losses", "hit_rate": "hit_rate", "units": "units",
               "roi": "roi"}  # fmt: skip
    assert_shows(edges, ["system_id", "bucket"], want, columns)


def _paired_gaps(rows: list[dict]) -> dict[str, float | None]:
    """MAE minus the line's MAE, and Brier minus the market's, each on the rows that have both sides."""
    both = [r for r in rows if r["mean"] is not None and r["actual"] is not None]
    scored = [r for r in rows if all(r[c] is not None for c in ("went_over", "p_over", "market_p_over"))]

    def brier(p: float, r: dict) -> float:
        return (p - float(r["went_over"])) ** 2

    return {
        "mae_minus_line": mean(abs(r["mean"] - r["actual"]) - abs(r["line"] - r["actual"]) for r in both),
        "brier_minus_market": mean(
            brier(r["p_over"] / (1 - (r["p_push"] or 0)), r) - brier(r["market_p_over"], r) for r in scored
        ) if scored else None,
    }  # fmt: skip


@pytest.mark.parametrize("production_only", [False, True])
@pytest.mark.parametrize(("market", "run_id"), list(DAYS))
def test_the_intervals_are_of_the_reports_numbers(warehouse, rows, market, run_id, production_only):
    params = {"market": market, "run_id": run_id, "production_only": production_only}
    found = intervals.by_system(warehouse.query("run_grades", **params), resamples=200)
    board = warehouse.query("backtest_report", **params).set_index("system_id")
    assert list(dict.fromkeys(found["system_id"])) == list(board.index)  # the leaderboard's systems, in its order
    live = {(r["market"], r["game_id"], r["entity_id"]) for r in rows if r["run_id"] == LIVE_RUN}
    for system_id, shown in found.set_index("metric").groupby("system_id"):
        run = [r for r in rows if (r["market"], r["run_id"], r["system_id"]) == (market, run_id, system_id)
               and (not production_only or (r["market"], r["game_id"], r["entity_id"]) in live)]  # fmt: skip
        numbers = {**expected(run), **_paired_gaps(run)}
        for name in ("hit_rate", "roi", "mae_minus_line", "brier_minus_market"):
            estimate, low, high = shown.loc[name, ["estimate", "low", "high"]]
            assert (estimate is None) == (numbers[name] is None), (system_id, name)
            if numbers[name] is not None:
                assert float(estimate) == pytest.approx(numbers[name]), (system_id, name)
                assert low <= estimate <= high, (system_id, name)
        assert shown.loc["roi", "n"] == numbers["picks"] == board.loc[system_id, "picks"]
        assert shown.loc["hit_rate", "days"] == len({r["game_date"] for r in run if r["result"] in ("WIN", "LOSS")})
        assert shown.loc["clv_prob", "verdict"] == intervals.NO_DATA  # graded without closing lines


def test_the_demo_summary_is_the_live_runs_leaderboard(warehouse, rows):
    summary = warehouse.sql(demo.SUMMARY_SQL, run_id=LIVE_RUN)
    want = by([r for r in rows if r["run_id"] == LIVE_RUN], lambda r: (r["market"], r["system_id"]))
    columns = {c: c for c in ("predictions", "picks", "hit_rate", "mae", "line_mae", "units")}
    assert_shows(summary, ["market", "system_id"], want, columns)


def _printed_tables(output: str) -> dict[str, pd.DataFrame]:
    """The rich tables a command printed, by title: cells as text, '-' for a missing value."""
    tables, title, header, cells = {}, None, None, []
    for line in output.splitlines():
        text = line.strip()
        if text.startswith("┃"):
            header = [c.strip() for c in text.strip("┃").split("┃")]
        elif text.startswith("│"):
            cells.append([c.strip() for c in text.strip("│").split("│")])
        elif text.startswith("└"):
            tables[title] = pd.DataFrame(cells, columns=header).replace("-", None)
            header, cells = None, []
        elif text and text[0] not in "┏┡":
            title = text
    return tables


def test_the_report_command_prints_the_recomputed_leaderboard(warehouse, rows, request, tmp_path, monkeypatch):
    if request.node.callspec.params["backend"] != "local":
        pytest.skip("the CLI opens the embedded warehouse of PROPFLOW_HOME; the gcp side's queries are checked above")
    monkeypatch.setenv("PROPFLOW_HOME", str(tmp_path / "local"))  # the backend fixture's home
    result = CliRunner().invoke(main, ["report", "--run-id", LIVE_RUN, "--out", str(tmp_path / "live.html")])
    assert result.exit_code == 0, result.output
    printed = _printed_tables(result.output)
    for market in ("mlb_strikeouts", "nba_points"):
        run = [r for r in rows if (r["market"], r["run_id"]) == (market, LIVE_RUN)]
        board = printed[f"{market}, run {LIVE_RUN}"]
        assert_shows(board, ["system_id"], by(run, lambda r: (r["system_id"],)), METRICS, printed=True)
        shown = printed[f"{market}, run {LIVE_RUN}: 95 % intervals"].set_index(["system_id", "metric"])
        for (system_id,), numbers in by(run, lambda r: (r["system_id"],)).items():
            for name in ("hit_rate", "roi"):
                assert float(shown.loc[(system_id, name), "estimate"]) == pytest.approx(numbers[name], abs=5e-4)
                assert shown.loc[(system_id, name), "verdict"] in (intervals.EDGE, intervals.NO_EDGE)


# --- the pandas side ---------------------------------------------------------------------------


def test_the_domain_metrics_count_as_the_sql(grades, rows):
    for key, group in grades.groupby(SYSTEM):
        want = expected([r for r in rows if per_system(r) == key])
        got = {"picks": metrics.picks(group), "hit_rate": metrics.hit_rate(group), "mae": metrics.mae(group),
               "line_mae": metrics.line_mae(group), "roi": metrics.roi(group)}  # fmt: skip
        for name, value in got.items():
            assert (value is None) == (want[name] is None) and value == pytest.approx(want[name]), (key, name)
