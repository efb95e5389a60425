"""Whether a ledger file's structure is the one this program declares and makes: each declared table
(`store.schema`) with its columns, their types, keys and what may be empty; the indexes and
triggers its schema steps make; the views as `views` makes them; the decimals of each currency, as
ISO 4217 gives them. Whatever shapes what sqlite3
and Datasette show is checked, since an edit there changes what people read without touching a
record."""

from __future__ import annotations

import sqlite3

from ledger.i18n import N_, Text, _

# What is wrong with an index or a trigger (SQLite's `type` of it), looked up in the catalog when said.
_MISSING = {"index": N_("the index {name} is missing"), "trigger": N_("the trigger {name} is missing")}
_NOT_MADE = {"index": N_("the index {name} is not one topup-ledger makes"),
             "trigger": N_("the trigger {name} is not one topup-ledger makes"),
             "table": N_("the table {name} is not one topup-ledger makes; sqlite3 and Datasette show it beside the "
                         "ledger's own"),
             "view": N_("the view {name} is not one topup-ledger makes; sqlite3 and Datasette show it beside the "
                        "ledger's own")}
_CHANGED = {"index": N_("the index {name} was changed"), "trigger": N_("the trigger {name} was changed")}


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


def problems(conn: sqlite3.Connection) -> list[Text]:
    """What differs, in words; empty when nothing does."""
    from sqlalchemy.dialects import sqlite

    from ledger.domain.money import CURRENCIES, minor_digits
    from ledger.store import schema
    from ledger.store.sqlite import views

    found = []
    for table in schema.SQLModel.metadata.sorted_tables:
        stored = {name: (_affinity(kind), bool(notnull), bool(pk))
                  for _cid, name, kind, notnull, _default, pk in conn.execute(f"PRAGMA table_info({table.name})")}
        if not stored:
            found.append(_("table {table} is missing", table=table.name))
            continue
        declared = {column.name: (_affinity(column.type.compile(dialect=sqlite.dialect())),
                                  not column.nullable and not column.primary_key, column.primary_key)
                    for column in table.columns}
        for name in sorted(stored.keys() - declared.keys()):
            found.append(_("table {table} has a column {column} that no topup-ledger makes", table=table.name,
                           column=name))
        for name in sorted(declared.keys() - stored.keys()):
            found.append(_("table {table} lacks its column {column}", table=table.name, column=name))
        for name in sorted(stored.keys() & declared.keys()):
            kind, notnull, pk = stored[name]
            want_kind, want_notnull, want_pk = declared[name]
            if (kind, pk) != (want_kind, want_pk) or (notnull != want_notnull and not pk):
                found.append(_("column {table}.{column} was changed (its type, key or whether it may be empty)",
                               table=table.name, column=name))
    found += _made_by_the_steps(conn)
    held = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'view'"))
    for name, sql in views.made(conn).items():
        if held.get(name) != sql:
            found.append(_("the view {name} is not the one topup-ledger makes, so sqlite3 and Datasette show other "
                           "values than the records hold", name=name))
    digits = {code: (minor_digits(code), 10 ** minor_digits(code)) for code in CURRENCIES}
    kept = {code: (places, scale) for code, places, scale in conn.execute("SELECT code, digits, scale FROM currency")}
    if kept != digits:
        changed = sorted(code for code in kept.keys() | digits.keys() if kept.get(code) != digits.get(code))
        found.append(_("the decimals of {codes} in the table currency are not ISO 4217's, so the views "
                       "show their amounts wrongly", codes=", ".join(changed)))
    return found


def _made_by_the_steps(conn: sqlite3.Connection) -> list[Text]:
    """The indexes and triggers of the ledger, compared with those of a ledger made afresh, and any
    table or view such a ledger does not have."""
    from ledger.store.sqlite import migrations

    fresh = sqlite3.connect(":memory:", isolation_level=None)
    named = "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite%'"
    try:
        migrations.upgrade(fresh)
        query = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
        made = {(kind, name): sql for kind, name, sql in fresh.execute(query)}
        ours = set(fresh.execute(named))
    finally:
        fresh.close()
    # A table or view of someone else's is shown by sqlite3 and Datasette as if it were the ledger's.
    found = [_(_NOT_MADE[kind], name=name) for kind, name in sorted(set(conn.execute(named)) - ours)]
    held = {(kind, name): sql for kind, name, sql in conn.execute(query)}
    found += [_(_MISSING[kind], name=name) for kind, name in sorted(made.keys() - held.keys())]
    found += [_(_NOT_MADE[kind], name=name) for kind, name in sorted(held.keys() - made.keys())]
    found += [_(_CHANGED[kind], name=name) for kind, name in sorted(made.keys() & held.keys())
              if made[(kind, name)] != held[(kind, name)]]
    return found
