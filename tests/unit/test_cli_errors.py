"""A user error gets one line on stderr and exit status 2 from every `propflow` command; -v adds the traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support import register_version

from shared import runtime
from shared.cli.main import main
from shared.contract import markets
from shared.ops import public_data, scenarios
from shared.systems import registry

UNKNOWN_VERSION = ["models", "promote", "--market", "mlb_strikeouts", "--system", "xgb_core", "--version", "20260101-0"]


def propflow(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_one_line(result: Result, *expected: str) -> None:
    """Exit status 2, and stderr is one `Error:` line holding every expected text; nothing escaped as a traceback."""
    assert result.exit_code == 2, result.output
    # A Python exception that escaped the command would be here instead of click's SystemExit.
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for text in expected:
        assert text in lines[0]


def known_markets() -> list[str]:
    return sorted(markets.all_markets())


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # a market, system or option value that is not one of the known ones lists those
        (["models", "list", "--market", "nba_pointz"], ["'nba_pointz'", *known_markets()]),
        (["experiments", "best", "--market", "nhl_goals"], ["'nhl_goals'", *known_markets()]),
        # --system comes first on purpose: --market is read before it, whatever the order
        (
            ["train", "--system", "xgb_cor", "--market", "nba_points", "--train-end", "2026-01-31"],
            ["'xgb_cor'", *sorted(markets.market("nba_points").systems)],
        ),
        (["demo", "--fault", "meltdown"], ["'meltdown'", *scenarios.SCENARIOS]),
        (["demo", "--backend", "aws"], ["'aws'", "'local'", "'gcp'"]),
        # dates
        (["walkforward", "--market", "nba_points", "--start", "2026-02-30", "--end", "2026-03-31"], ["'2026-02-30'"]),
        (["retrain", "--market", "nba_points", "--train-end", "yesterday"], ["'yesterday'", "YYYY-MM-DD"]),
        (
            ["backtest", "--market", "nba_points", "--from", "2026-03-01", "--to", "2026-02-01"],
            ["2026-02-01", "--from"],
        ),
        # SQL that does not parse, or asks for parameters nobody can pass
        (["sql", "SELEC 1"], ["not BigQuery SQL", "SELEC 1", "line 1"]),
        (["sql", "SELECT 'open"], ["not BigQuery SQL", "SELECT '"]),  # an unclosed string
        (["sql", "SELECT @day"], ["@day"]),
        (["sql", " "], ["QUERY", "no SQL statement"]),
        # click's own usage errors keep exit 2, on one line now
        (["replay", "--market", "nba_points"], ["--market and --date, or --event"]),
        (["bogus"], ["'bogus'"]),
        (["train", "--market", "nba_points", "--system", "xgb_core"], ["'--train-end'"]),
    ],
    ids=[
        "unknown-market",
        "unknown-market-2",
        "unknown-system",
        "unknown-fault",
        "unknown-backend",
        "impossible-date",
        "not-a-date",
        "range-backwards",
        "sql-syntax",
        "sql-unclosed-string",
        "sql-parameter",
        "sql-empty",
        "replay-needs-date",
        "unknown-command",
        "missing-option",
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(args: list[str], expected: list[str]) -> None:
    assert_one_line(propflow(*args), *expected)


def test_sql_naming_a_missing_table_or_column_is_one_line() -> None:
    assert_one_line(propflow("sql", "SELECT * FROM propflow.no_such_table"), "no_such_table")
    assert_one_line(propflow("sql", "SELECT no_such_column FROM propflow.alerts"), "no_such_column")
    good = propflow("sql", "SELECT 6 * 7 AS answer")  # the checks do not refuse a good query
    assert good.exit_code == 0 and "42" in good.stdout


def test_lookups_of_what_does_not_exist(tmp_path: Path) -> None:
    assert_one_line(propflow(*UNKNOWN_VERSION), "'20260101-0'", "mlb_strikeouts/xgb_core")
    assert_one_line(propflow("models", "rollback", "--market", "nba_points", "--system", "xgb_core"), "roll back")
    assert_one_line(
        propflow("report", "--run-id", "backtest-nope", "--out", str(tmp_path / "r.html")), "'backtest-nope'"
    )
    assert not (tmp_path / "r.html").exists()  # refused before anything was written
    assert_one_line(propflow("replay", "--event", "msg-404"), "'msg-404'")
    assert_one_line(propflow("experiments", "promote", "exp-404"), "'exp-404'")


def test_promoting_a_disabled_version_is_one_line() -> None:
    ctx = runtime.context()
    record = register_version(ctx, "baseline", b'{"feature": "pts_l10"}')
    disable = ["models", "enable", "--market", "nba_points", "--system", "baseline_l10", "--version", record.version]
    assert propflow(*disable, "--off").exit_code == 0
    promote = ["models", "promote", "--market", "nba_points", "--system", "baseline_l10", "--version", record.version]
    assert_one_line(propflow(*promote), record.version, "disabled")
    assert registry.resolve(ctx, "nba_points", "baseline_l10") is None  # the alias did not move


def test_a_missing_or_incomplete_data_folder(tmp_path: Path) -> None:
    assert_one_line(propflow("ingest", "nba", "--data-dir", str(tmp_path / "nope")), str(tmp_path / "nope"))
    # The folder exists but holds none of the feeds: refused before the first table is written.
    assert_one_line(
        propflow("ingest", "mlb", "--data-dir", str(tmp_path)), *(folder for _, folder, _ in public_data.PLANS["mlb"])
    )
    assert runtime.context().warehouse.sql("SELECT COUNT(*) AS n FROM propflow.outcomes")["n"].iloc[0] == 0


GOOD = "name: x\nmarket: nba_points\nsystem: xgb_core\ntrain: {end: 2026-01-31}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("name: x\nmarket: [\n", ["cannot be read as YAML", "line 3"], id="not-yaml"),
        pytest.param("- just\n- a list\n", ["a YAML mapping"], id="not-a-mapping"),
        pytest.param(GOOD + "surprise: 1\n", ["'surprise'"], id="unknown-key"),
        pytest.param(GOOD.replace("nba_points", "nba_pointz"), ["'nba_pointz'", "nba_points"], id="unknown-market"),
        pytest.param(GOOD.replace("xgb_core", "xgb_cor"), ["'xgb_cor'", "xgb_core"], id="unknown-system"),
        pytest.param(GOOD.replace("2026-01-31", "Jan 31"), ["train.end", "'Jan 31'"], id="bad-date"),
        pytest.param(GOOD.replace("2026-01-31", "2026-02-30"), ["day is out of range"], id="impossible-date"),
        pytest.param(GOOD + "eval: {days: a month}\n", ["eval.days", "'a month'"], id="bad-days"),
        pytest.param(GOOD + "model: {framework: torch}\n", ["'torch'", "xgboost"], id="unknown-framework"),
    ],
)
def test_a_bad_experiment_file_is_one_line_and_writes_no_row(tmp_path: Path, text: str, expected: list[str]) -> None:
    config = tmp_path / "experiment.yaml"
    config.write_text(text)
    assert_one_line(propflow("experiments", "run", str(config)), *expected)
    assert runtime.context().warehouse.sql("SELECT COUNT(*) AS n FROM propflow.experiments")["n"].iloc[0] == 0


def test_a_missing_experiment_file(tmp_path: Path) -> None:
    assert_one_line(propflow("experiments", "run", str(tmp_path / "nope.yaml")), "nope.yaml", "does not exist")


def test_dates_with_nothing_to_work_on_are_one_line() -> None:
    # An empty warehouse: no history to fit up to the day, no slate to replay.
    train = propflow("train", "--market", "nba_points", "--system", "xgb_core", "--train-end", "2026-01-31")
    assert_one_line(train, "only 0 rows up to 2026-01-31")
    backtest = propflow("backtest", "--market", "nba_points", "--from", "2026-01-01", "--to", "2026-01-31")
    assert_one_line(backtest, "no slate from 2026-01-01 to 2026-01-31")
    assert_one_line(propflow("replay", "--market", "nba_points", "--date", "2026-01-31"), "no slate on 2026-01-31")


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PROPFLOW_BACKEND": "aws"}, ["PROPFLOW_BACKEND", "'aws'"]),
        ({"PROPFLOW_BACKEND": "gcp"}, ["PROPFLOW_GCP_PROJECT"]),
        ({"PROPFLOW_ACTIVE_SYSTEMS": "nba_points"}, ["PROPFLOW_ACTIVE_SYSTEMS", "'nba_points'"]),
    ],
)
def test_a_bad_setting_is_one_line(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: list[str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GOOGLE_CLOUD_PROJECT", raising=False)
    assert_one_line(propflow("status"), *expected)


def test_verbose_adds_the_traceback() -> None:
    result = propflow("-v", *UNKNOWN_VERSION)
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr and "shared/systems/registry.py" in result.stderr
    assert (
        result.stderr.strip().splitlines()[-1]
        == "Error: mlb_strikeouts/xgb_core has no registered version '20260101-0'"
    )


def test_an_error_that_is_not_the_users_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A warehouse file that is not a DuckDB database: the platform's fault, not a bad argument.
    home = tmp_path / "broken"
    home.mkdir()
    (home / "warehouse.duckdb").write_bytes(b"not a database" * 512)
    monkeypatch.setenv("PROPFLOW_HOME", str(home))
    result = propflow("status")
    assert result.exit_code == 1
    assert not isinstance(result.exception, SystemExit)  # escaped: Python prints its traceback
