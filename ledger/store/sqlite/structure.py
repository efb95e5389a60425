"""Whether a ledger file's structure is the one this program declares and makes: each declared table
(`store.schema`) with its columns, their types, keys and what may be empty; the indexes and
triggers its schema steps make; the views as `views` makes them; the decimals of each currency, as
ISO 4217 gives them. Whatever shapes what sqlite3
and Datasette show is checked, since an edit there changes what people read without touching a
record."""

from __future__ import annotations

import sqlite3


def _affinity(declared: str) -> str:
    """The column affinity SQLite gives a declared type (its own rules, in order)."""
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in declared or not declared:
        return "BLOB"
    return "NUMERIC"


def problems(conn: sqlite3.Connection) -> list[str]:
    """What differs, in words; empty when nothing does."""
    from sqlalchemy.dialects import sqlite

    from ledger.domain.money import CURRENCIES, minor_digits
    from ledger.store import schema
    from ledger.store.sqlite import views

    found = []
    for table in schema.SQLModel.metadata.sorted_tables:
        stored = {name: (_affinity(kind), bool(notnull), bool(pk))
                  for _, name, kind, notnull, _, pk in conn.execute(f"PRAGMA table_info({table.name})")}
        if not stored:
            found.append(f"table {table.name} is missing")
            continue
        declared = {column.name: (_affinity(column.type.compile(dialect=sqlite.dialect())),
                                  not column.nullable and not column.primary_key, column.primary_key)
                    for column in table.columns}
        for name in sorted(stored.keys() - declared.keys()):
            found.append(f"table {table.name} has a column {name} that no topup-ledger makes")
        for name in sorted(declared.keys() - stored.keys()):
            found.append(f"table {table.name} lacks its column {name}")
        for name in sorted(stored.keys() & declared.keys()):
            kind, notnull, pk = stored[name]
            want_kind, want_notnull, want_pk = declared[name]
            if (kind, pk) != (want_kind, want_pk) or (notnull != want_notnull and not pk):
                found.append(f"column {table.name}.{name} was changed (its type, key or whether it may be empty)")
    found += _made_by_the_steps(conn)
    held = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    for name, sql in views.made(conn).items():
        if held.get(name) != sql:
            found.append(f"the view {name} is not the one topup-ledger makes, so sqlite3 and Datasette show other "
                         "values than the records hold")
    digits = {code: (minor_digits(code), 10 ** minor_digits(code)) for code in CURRENCIES}
    kept = {code: (places, scale) for code, places, scale in conn.execute("SELECT code, digits, scale FROM currency")}
    if kept != digits:
        changed = sorted(code for code in kept.keys() | digits.keys() if kept.get(code) != digits.get(code))
        found.append(f"the decimals of {', '.join(changed)} in the table currency are not ISO 4217's, so the views "
                     "show their amounts wrongly")
    return found


def _made_by_the_steps(conn: sqlite3.Connection) -> list[str]:
    """The indexes and triggers of the ledger, compared with those of a ledger made afresh."""
    from ledger.store.sqlite import migrations

    fresh = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations.upgrade(fresh)
        query = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        made = {(kind, name): sql for kind, name, sql in fresh.execute(query)}
    finally:
        fresh.close()
    held = {(kind, name): sql for kind, name, sql in conn.execute(query)}
    found = [f"the {kind} {name} is missing" for kind, name in sorted(made.keys() - held.keys())]
    found += [f"the {kind} {name} is not one topup-ledger makes" for kind, name in sorted(held.keys() - made.keys())]
    found += [f"the {kind} {name} was changed" for kind, name in sorted(made.keys() & held.keys())
              if made[(kind, name)] != held[(kind, name)]]
    return found
