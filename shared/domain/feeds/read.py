"""Reading a feed file as its spec says: the format in bounded chunks, the row filter, and the fields.

A chunk keeps only the columns the spec uses, so what is held after reading is
the feed's fields, not the file. Nothing here knows a warehouse: it turns a
stream into a frame of fields, or raises MalformedFile.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator, Mapping
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from shared.domain import odds
from shared.domain.feeds.checks import PLACEHOLDER
from shared.domain.feeds.spec import FeedSpec

CHUNK_ROWS = 100_000
GZIP_MAGIC = b"\x1f\x8b"
TRUE = {"true", "1", "yes", "t", "y"}


class MalformedFile(ValueError):
    """The file cannot be read as its spec says (format, header, a value that does not parse)."""


def columns_used(spec: FeedSpec) -> set[str]:
    """Every raw column the spec reads: a file without one of them has the wrong header."""
    used = {c["column"] for c in spec.doc.get("filter", [])}

    def walk(expr: Mapping[str, Any]) -> None:
        used.update(expr.get("sum", []))
        if "column" in expr:
            used.add(expr["column"])
        if "negate_if" in expr:
            used.add(expr["negate_if"]["column"])

    for expr in spec.doc["fields"].values():
        walk(expr)
    for market in spec.doc.get("markets", {}).values():
        walk(market["actual"])
    used.update(spec.doc.get("names", []))
    return used


def optional_columns(spec: FeedSpec) -> set[str]:
    """Box-score stats kept in details: a file that does not report one leaves it out (not zero, not an error)."""
    return set(spec.doc.get("details", {}).values())


def _unzipped(stream: BinaryIO) -> BinaryIO:
    head = stream.read(2)
    rest = io.BufferedReader(_Prepend(head, stream))
    return gzip.GzipFile(fileobj=rest) if head == GZIP_MAGIC else rest  # type: ignore[return-value]


class _Prepend(io.RawIOBase):
    """A stream with bytes already read put back in front (to sniff gzip without seeking)."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _chunks(spec: FeedSpec, stream: BinaryIO) -> Iterator[pd.DataFrame]:
    read = spec.doc["read"]
    size = read.get("chunk_rows", CHUNK_ROWS)
    fmt = read["format"]
    if fmt == "parquet":  # compressed by its own columns, never gzipped; read by row group, which needs seeking
        seekable = stream if stream.seekable() else io.BytesIO(stream.read())
        for batch in pq.ParquetFile(seekable).iter_batches(batch_size=size):
            yield batch.to_pandas()
        return
    data = _unzipped(stream)
    if fmt == "csv":
        # Strings: an id keeps its leading zeros and a value is parsed by the field that reads it.
        yield from pd.read_csv(data, chunksize=size, dtype=str, sep=read.get("delimiter", ","), keep_default_na=True)
    else:
        yield from pd.read_json(data, lines=True, chunksize=size, dtype=False)


def read_chunks(spec: FeedSpec, name: str, stream: BinaryIO) -> Iterator[tuple[pd.DataFrame, int]]:
    """The file's rows that pass the filter, in the columns the spec uses (plus `_file`), chunk by chunk, each
    with the rows read for it. A spec with a `first_start` field (a minimum over the file) gets its file as one
    chunk: such files are daily files, small."""
    chunks = _read_chunks(spec, name, stream)
    if not needs_whole_file(spec):
        yield from chunks
        return
    kept, rows_read = [], 0
    for chunk, n in chunks:
        kept.append(chunk)
        rows_read += n
    yield pd.concat(kept, ignore_index=True), rows_read


def needs_whole_file(spec: FeedSpec) -> bool:
    return any("first_start" in expr for expr in spec.doc["fields"].values())


def _read_chunks(spec: FeedSpec, name: str, stream: BinaryIO) -> Iterator[tuple[pd.DataFrame, int]]:
    needed, optional = columns_used(spec), optional_columns(spec)
    any_chunk = False
    try:
        for chunk in _chunks(spec, stream):
            missing = sorted(needed - set(chunk.columns))
            if missing:
                raise MalformedFile(f"{name}: no column {', '.join(map(repr, missing))} (it has {list(chunk.columns)})")
            kept = chunk[_keep(chunk, spec.doc.get("filter", []))]
            any_chunk = True
            yield shared(kept[sorted(needed | (optional & set(chunk.columns)))]).assign(_file=name), len(chunk)
    except MalformedFile:
        raise
    except (ValueError, OSError, EOFError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise MalformedFile(f"{name}: not a readable {spec.doc['read']['format']} file: {exc}") from exc
    if not any_chunk:
        yield pd.DataFrame(columns=[*sorted(needed), "_file"]), 0


def shared(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with equal texts (and dates) one object each: a feed repeats a name, a book, a time on every
    row, and an object per cell would hold many times the file's size. Columns of other objects are left as
    they are (1, 1.0 and True are equal, yet not the same value)."""
    columns = {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "date"):
            codes, distinct = pd.factorize(values)
            one_each = values.to_numpy(copy=True)
            one_each[codes >= 0] = distinct.to_numpy()[codes[codes >= 0]]
            columns[column] = one_each
    return frame.assign(**columns) if columns else frame


# --- conditions (row filters, negate_if) ----------------------------------------------------------------------


def as_bool(values: pd.Series) -> pd.Series:
    if values.dtype == bool:
        return values
    return values.astype(str).str.strip().str.lower().isin(TRUE) & values.notna()


def _numeric(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce")


def _equal(values: pd.Series, wanted: object) -> pd.Series:
    if isinstance(wanted, bool):
        return as_bool(values) == wanted
    if isinstance(wanted, int | float):
        return _numeric(values) == wanted
    return values.astype(str) == str(wanted)


def condition(frame: pd.DataFrame, cond: Mapping[str, Any]) -> pd.Series:
    values = frame[cond["column"]]
    (op, arg), *_ = ((k, v) for k, v in cond.items() if k != "column")
    if op == "in":
        return pd.concat([_equal(values, w) for w in arg], axis=1).any(axis=1)
    if op == "not_in":
        return ~pd.concat([_equal(values, w) for w in arg], axis=1).any(axis=1)
    if op == "equals":
        return _equal(values, arg)
    if op in ("at_least", "at_most"):
        # Numbers compare as numbers; text (a season "2014-15") as text.
        ordered = _numeric(values) if isinstance(arg, int | float) else values.astype("string")
        return ((ordered >= arg) if op == "at_least" else (ordered <= arg)).fillna(False).astype(bool)
    if op == "matches":
        return values.astype(str).str.contains(arg, regex=True) & values.notna()
    return values.notna() == arg  # present


def _keep(frame: pd.DataFrame, conditions: list[Mapping[str, Any]]) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    for cond in conditions:
        keep &= condition(frame, cond).to_numpy()
    return keep


# --- fields ----------------------------------------------------------------------------------------------------


EPOCH_UNITS = {"epoch_s": "s", "epoch_ms": "ms"}


def timestamps(values: pd.Series, fmt: str, tz: str | None) -> pd.Series:
    """Naive UTC timestamps (the warehouse's TIMESTAMP) from text in `fmt` (iso, epoch_s, epoch_ms or strftime),
    naive ones in `tz`."""
    if pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    elif fmt in EPOCH_UNITS:  # seconds or milliseconds since 1970-01-01 UTC
        parsed = pd.to_datetime(_number(values), unit=EPOCH_UNITS[fmt], utc=True)
    else:
        text = values.astype("string")
        parsed = pd.to_datetime(text, format="ISO8601" if fmt == "iso" else fmt, errors="coerce", utc=tz is None)
        if parsed.isna().sum() > values.isna().sum():
            bad = text[parsed.isna() & values.notna()].iloc[0]
            raise MalformedFile(f"time {bad!r} does not parse as {fmt}")
    if parsed.dt.tz is None:
        parsed = parsed.dt.tz_localize(tz or "UTC", ambiguous="NaT", nonexistent="NaT")
    return parsed.dt.tz_convert("UTC").dt.tz_localize(None)


def _dates(values: pd.Series, fmt: str) -> pd.Series:
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, format="ISO8601" if fmt == "iso" else fmt, errors="coerce")
    if parsed.isna().sum() > values.isna().sum():
        bad = text[parsed.isna() & values.notna()].iloc[0]
        raise MalformedFile(f"date {bad!r} does not parse as {fmt}")
    return parsed.dt.date


def _template(text: str, fields: pd.DataFrame) -> pd.Series:
    parts, pos = [], 0
    out = pd.Series("", index=fields.index, dtype=object)
    missing = pd.Series(False, index=fields.index)
    for m in PLACEHOLDER.finditer(text):
        parts.append(pd.Series(text[pos : m.start()], index=fields.index))
        values = fields[m.group(1)]
        missing |= values.isna()
        if m.group(2):
            parts.append(pd.to_datetime(values).dt.strftime(m.group(2)))
        else:
            parts.append(values.astype(str))
        pos = m.end()
    parts.append(pd.Series(text[pos:], index=fields.index))
    for part in parts:
        out = out + part.astype(str)
    return out.mask(missing)


def _first_start(rule: Mapping[str, Any], fields: pd.DataFrame) -> pd.Series:
    first = fields[rule["field"]].groupby(fields[rule["per"]]).transform("min")
    hour = pd.Timedelta(hours=rule["hour_utc"])
    return (first - hour).dt.floor("D") + hour


def _mapped(values: pd.Series, table: Mapping[str, Any], unmapped: str) -> pd.Series:
    result = values.map(lambda v: table.get(v, table.get(str(v))) if pd.notna(v) else None)
    return result.where(result.notna(), values) if unmapped == "keep" else result


def _typed(values: pd.Series, kind: str) -> pd.Series:
    if kind == "number":
        return _number(values)
    if kind == "integer":
        return _number(values).round().astype("Int64")
    if kind == "boolean":
        return as_bool(values).where(values.notna())
    return values.astype("string").astype(object).where(values.notna())


def _number(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna() & (values.astype(str).str.strip() != "")
    if bad.any():
        raise MalformedFile(f"{values[bad].iloc[0]!r} is not a number")
    return numbers.astype(float)


def evaluate(expr: Mapping[str, Any], raw: pd.DataFrame, fields: pd.DataFrame, maps: Mapping[str, Any]) -> pd.Series:
    """One field's values: its source, then its steps in a fixed order (regex, slice, case, map, parse, odds,
    negate)."""
    if "column" in expr:
        values = raw[expr["column"]]
    elif "field" in expr:
        values = fields[expr["field"]]
    elif "template" in expr:
        values = _template(expr["template"], fields)
    elif "sum" in expr:
        values = sum((_number(raw[c]) for c in expr["sum"]), start=pd.Series(0.0, index=raw.index))
    elif "first_start" in expr:
        values = _first_start(expr["first_start"], fields)
    else:
        values = pd.Series([expr.get("value")] * len(raw), index=raw.index, dtype=object)
    if "regex" in expr:
        values = values.astype("string").str.extract(expr["regex"], expand=False).astype(object)
    if "matches" in expr:
        values = values.astype("string").str.contains(expr["matches"], regex=True).fillna(False).astype(bool)
    if "slice" in expr:
        start, end = expr["slice"]
        values = values.astype("string").str.slice(start, end).astype(object)
    if "case" in expr:
        values = getattr(values.astype("string").str, expr["case"])().astype(object)
    if "map" in expr:
        table = maps[expr["map"]] if isinstance(expr["map"], str) else expr["map"]
        values = _mapped(values, table, expr.get("unmapped", "null"))
    if "time" in expr:
        values = timestamps(values, expr["time"], expr.get("tz"))
    if "date" in expr:
        values = _dates(values, expr["date"])
    if "local_date" in expr:
        values = pd.to_datetime(values).dt.tz_localize("UTC").dt.tz_convert(expr["local_date"]).dt.date
    if "type" in expr:
        values = _typed(values, expr["type"])
    if "odds" in expr:  # prices quoted otherwise than American: stored American
        values = pd.Series(odds.american_from_decimal(_number(values)), index=values.index)
    if "negate_if" in expr:
        flip = condition(raw, expr["negate_if"]).to_numpy()
        values = pd.Series(np.where(flip, -_number(values), _number(values)), index=raw.index)
    return values


def fields_of(spec: FeedSpec, raw: pd.DataFrame) -> pd.DataFrame:
    """Every field of the spec, in the order written (a field may use those before it), plus `_file`."""
    fields = pd.DataFrame(index=raw.index)
    maps = spec.doc.get("maps", {})
    for name, expr in spec.doc["fields"].items():
        fields[name] = evaluate(expr, raw, fields, maps)
    for market, rule in spec.doc.get("markets", {}).items():
        fields[f"actual:{market}"] = _number(evaluate(rule["actual"], raw, fields, maps))
    for stat, column in spec.doc.get("details", {}).items():
        fields[f"stat:{stat}"] = _number(raw[column]) if column in raw.columns else np.nan
    for column in spec.doc.get("names", []):
        fields[f"name:{column}"] = raw[column]
    fields["_file"] = raw["_file"]
    return shared(fields)
