"""The views that show the ledger to sqlite3, Datasette and a spreadsheet's database link: `records`
with the contract's record fields (from the registry), `cards` with card numbers masked.

Amounts come out as decimals by their currency's digits (the `currency` table), and times in the
local zone of whoever reads them. A schema step that adds a record field makes the views again
(`make`), so that they show it.
"""

from __future__ import annotations

import sqlite3

from ledger.domain.fields import DAY_ALONE, PUBLIC_FIELDS, Kind, RecordField


def _local_time(column: str) -> str:
    """A UTC column as the contract's local time with its offset, in the zone of whoever reads it."""
    offset = f"CAST(round((julianday({column}, 'localtime') - julianday({column})) * 1440) AS INTEGER)"
    return (f"CASE WHEN {column} IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', {column}, 'localtime') || "
            f"printf('%s%02d:%02d', CASE WHEN {offset} < 0 THEN '-' ELSE '+' END, abs({offset}) / 60, "
            f"abs({offset}) % 60) END")


def _decimal(column: str) -> str:
    """Minor units as the decimal text the contract shows, by the currency's digits (`u`)."""
    return (f"CASE WHEN {column} IS NULL THEN NULL WHEN u.digits = 0 THEN CAST({column} AS TEXT) "
            f"ELSE printf('%d.%0' || u.digits || 'd', {column} / u.scale, {column} % u.scale) END")


def _shown(field: RecordField, columns: set[str]) -> str:
    """A field's value as the `records` view shows it (`t` is the record, `c` its card, `columns` the
    record's): a moment given as a day alone, as that day."""
    if field.kind is Kind.card:
        return "c.label"
    if field.kind is Kind.card_kind:
        return "c.kind"
    if field.kind is Kind.receipts:
        return "(SELECT count(*) FROM receipt AS r WHERE r.topup_id = t.id)"
    if field.kind is Kind.money:
        return _decimal(f"t.{field.column}")
    if field.kind is Kind.moment and DAY_ALONE.get(field.name) in columns:
        return f"coalesce(t.{DAY_ALONE[field.name]}, {_local_time(f't.{field.column}')})"
    if field.kind is Kind.moment:
        return _local_time(f"t.{field.column}")
    return f"t.{field.column}"


def records_view(columns: set[str]) -> str:
    """The `records` view over a `topup` table with these columns: each public field it stores."""
    shown = [f"{_shown(field, columns)} AS {field.name}" for field in PUBLIC_FIELDS if field.column in columns | {None}]
    return (f"CREATE VIEW records AS SELECT {', '.join(shown)} FROM topup AS t JOIN card AS c ON c.id = t.card_id "
            "LEFT JOIN currency AS u ON u.code = t.currency")


CARDS_VIEW = (f"CREATE VIEW cards AS SELECT c.label AS label, c.kind AS kind, "
              "CASE WHEN c.number IS NULL THEN NULL ELSE '****' || substr(c.number, -4) END AS number, "
              "c.region AS region, c.currency AS currency, c.issuer AS issuer, "
              f"{_decimal('c.max_topup_minor')} AS max_topup, {_decimal('c.max_balance_minor')} AS max_balance, "
              "c.validity_days AS validity_days, c.retired_at_utc IS NOT NULL AS retired, "
              f"{_local_time('c.created_at_utc')} AS created_at "
              "FROM card AS c LEFT JOIN currency AS u ON u.code = c.currency")


def made(conn: sqlite3.Connection) -> dict[str, str]:
    """The SQL of each view as this program makes it for the ledger on `conn`."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(topup)")}
    return {"records": records_view(columns), "cards": CARDS_VIEW}


def make(conn: sqlite3.Connection) -> None:
    """Make the views again, inside the caller's transaction."""
    for name, sql in made(conn).items():
        conn.execute(f"DROP VIEW IF EXISTS {name}")
        conn.execute(sql)
