"""`propflow ingest mlb|nba`: the shipped feed specs run over the public data sets in ../shared/data."""

from __future__ import annotations

from pathlib import Path

from shared.domain.feeds import spec as feed_spec
from shared.errors import Invalid
from shared.handlers.feeds import FeedReport, load_feed, merged
from shared.ports import Context

# Per league, the specs in the order they depend on each other (names before the starts that lack them,
# results before the lines matched to them), each with the files it reads under the data folder.
PLANS = {
    "mlb": (
        ("mlb_pitcher_names", "mlb_pitcher_starts_statcast_2024_26", "pitcher_id_name_crosswalk.csv"),
        ("mlb_pitcher_starts", "mlb_pitcher_starts_statcast_2024_26", "outs_starts.csv.gz"),
        ("mlb_strikeout_lines", "mlb_pitcher_k_props_oddsapi_2025_26", "k_props_snapshots.csv.gz"),
    ),
    "nba": (
        ("nba_game_logs", "nba_player_gamelogs_nbaapi_1996_2025", "nba_player_gamelogs_*.csv.gz"),
        # After the NBA.com logs: where both have a player-game, this layout's row is kept.
        ("nba_player_logs", "nba_player_gamelogs_nbaapi_2024_26", "*.csv.gz"),
        ("nba_pickem_points", "nba_player_props_dfs_prizepicks_underdog_2024_25", "*.csv.gz"),
        ("nba_pra_lines", "nba_pra_props_oddsapi_2023_25", "*.csv.gz"),
        ("nba_game_lines", "nba_game_lines_2008_2025", "nba_2008-2025_raw.csv.gz"),
    ),
}


def ingest(ctx: Context, league: str, data_dir: Path) -> list[FeedReport]:
    """Load a league's public data through its shipped specs, one load per file (as files landing would be);
    one report per spec. Every folder is looked for before anything is written."""
    missing = [folder for _, folder, _ in PLANS[league] if not (Path(data_dir) / folder).is_dir()]
    if missing:
        raise Invalid(f"{data_dir} has no folder {', '.join(missing)}")
    plan = [
        (feed_spec.find(feed), sorted((Path(data_dir) / folder).glob(pattern)))
        for feed, folder, pattern in PLANS[league]
    ]
    reports = []
    for spec, files in plan:
        loads = []
        for file in files:
            with open(file, "rb") as stream:
                loads.append(load_feed(ctx, spec, [(file.name, stream)]))
        reports.append(merged(loads or [load_feed(ctx, spec, [])]))
    return reports
