"""Schema steps, named and applied in order (those missing, in one transaction), recorded in PRAGMA
user_version and, from step 6 on, in the table `schema_step`.

A step is never edited once released: a change to the schema is a new step at the end. Each step
spells out its own SQL, so that changing runtime code can never change what an old step does; the
one exception is the views, which are made from the registry of record fields (`views.make`) by
the step that adds a field, as by step 9.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ledger.i18n import _
from ledger.store.sqlite import views

APPLICATION_ID = 0x746F7075  # 'topu': marks the file as a topup ledger


def _run(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would commit the open transaction first; run statement by statement instead.
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):  # a trigger body holds semicolons of its own
            if statement.strip(" \n;"):
                conn.execute(statement)
            statement = ""


def _cards_and_topups(conn: sqlite3.Connection) -> None:
    _run(
        conn,
        """
        CREATE TABLE card (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            label_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('sim', 'smart')),
            number TEXT,
            region TEXT,
            currency TEXT NOT NULL,
            issuer TEXT,
            max_topup_minor INTEGER,
            max_balance_minor INTEGER,
            validity_days INTEGER,
            retired_at_utc TEXT,
            created_at_utc TEXT NOT NULL
        );
        CREATE TABLE topup (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES card(id),
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            paid_minor INTEGER,
            currency TEXT NOT NULL,
            channel TEXT NOT NULL,
            outcome TEXT NOT NULL,
            occurred_at_utc TEXT NOT NULL,
            ref TEXT,
            merchant TEXT,
            note TEXT,
            balance_after_minor INTEGER,
            valid_until TEXT,
            status TEXT NOT NULL,
            created_at_utc TEXT NOT NULL,
            version INTEGER NOT NULL
        );
        CREATE INDEX topup_card_time ON topup (card_id, occurred_at_utc);
        CREATE INDEX topup_time ON topup (occurred_at_utc);
        CREATE INDEX topup_ref ON topup (ref COLLATE NOCASE);
        CREATE TABLE topup_version (
            seq INTEGER PRIMARY KEY,
            topup_id INTEGER NOT NULL REFERENCES topup(id),
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            reason TEXT,
            recorded_at_utc TEXT NOT NULL,
            content TEXT NOT NULL,
            prev_digest TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            UNIQUE (topup_id, version)
        );
        CREATE TABLE chain_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            digest TEXT NOT NULL
        );
        CREATE TABLE blob (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        );
        CREATE TABLE receipt (
            id INTEGER PRIMARY KEY,
            topup_id INTEGER NOT NULL REFERENCES topup(id),
            sha256 TEXT NOT NULL REFERENCES blob(sha256),
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            added_at_utc TEXT NOT NULL,
            UNIQUE (topup_id, sha256)
        );
        CREATE INDEX receipt_topup ON receipt (topup_id);
        """
    )


def _search_index(conn: sqlite3.Connection) -> None:
    # Trigram FTS5 finds any part of a word, Chinese included. Contentless: the text stays only
    # in `topup`, and triggers keep the index in step inside the same transaction.
    _run(conn, """
        CREATE VIRTUAL TABLE topup_fts USING fts5(body, content='', tokenize='trigram');
        INSERT INTO topup_fts (rowid, body) SELECT id, coalesce(topup.ref, '') || char(10) || coalesce(topup.merchant, '') || char(10) || coalesce(topup.note, '') FROM topup;
        CREATE TRIGGER topup_fts_insert AFTER INSERT ON topup BEGIN
            INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
        END;
        CREATE TRIGGER topup_fts_update AFTER UPDATE OF ref, merchant, note ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, ''));
            INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
        END;
        CREATE TRIGGER topup_fts_delete AFTER DELETE ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, ''));
        END
        """)


def _bulk_indexing(conn: sqlite3.Connection) -> None:
    # Indexing from a row trigger flushes FTS5 once per row: a large import may pause the
    # trigger inside its own transaction and index all its rows in one statement instead.
    _run(conn, """
        CREATE TABLE search_index_state (id INTEGER PRIMARY KEY CHECK (id = 1), paused INTEGER NOT NULL);
        INSERT INTO search_index_state (id, paused) VALUES (1, 0);
        DROP TRIGGER topup_fts_insert;
        CREATE TRIGGER topup_fts_insert AFTER INSERT ON topup
        WHEN (SELECT paused FROM search_index_state) = 0 BEGIN
            INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
        END
        """)


def _trigger_without_pause(conn: sqlite3.Connection) -> None:
    # Even paused, the trigger of step 3 ran its WHEN query for every imported row. From here on an
    # import drops the trigger inside its own transaction and creates it again before it commits.
    _run(conn, """DROP TRIGGER topup_fts_insert; DROP TABLE search_index_state; 
    CREATE TRIGGER topup_fts_insert AFTER INSERT ON topup BEGIN
        INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
    END""")


def _chained_cards(conn: sqlite3.Connection) -> None:
    # Links about cards (and, with no card, about the ledger as a whole) take their places in the
    # one chain beside the records' links: `seq` follows the chain's order across both tables.
    _run(conn, """
        CREATE TABLE ledger_link (
            seq INTEGER PRIMARY KEY,
            card_id INTEGER REFERENCES card(id),
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            reason TEXT,
            recorded_at_utc TEXT NOT NULL,
            content TEXT NOT NULL,
            prev_digest TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE
        );
        CREATE UNIQUE INDEX ledger_link_version ON ledger_link (coalesce(card_id, 0), version)
        """)


def _twd_in_cents(conn: sqlite3.Connection) -> None:
    # ISO 4217 gives TWD two decimals; until this step its amounts were kept in whole dollars. The
    # value of each stays the same: NT$300 was 300 and is now 30000 hundredths. Links written
    # before keep their whole dollars; `chain` reads them in the scheme they were written in.
    # Its triggers refuse a link of an older scheme, such as an older topup-ledger that opened the
    # file before this step would write, with TWD in whole dollars, once this step is done.
    # From this step on each step applied is also written in `schema_step`: a step that changes
    # only data leaves the tables as they were, and a copy without its header marks (sqlite3's
    # .dump) must still tell which steps its data went through.
    _run(conn, """
        UPDATE topup SET amount_minor = amount_minor * 100, paid_minor = paid_minor * 100,
                         balance_after_minor = balance_after_minor * 100 WHERE currency = 'TWD';
        UPDATE card SET max_topup_minor = max_topup_minor * 100, max_balance_minor = max_balance_minor * 100
         WHERE currency = 'TWD';
        CREATE TABLE schema_step (version INTEGER PRIMARY KEY, name TEXT NOT NULL);
        CREATE TRIGGER topup_version_units BEFORE INSERT ON topup_version
          WHEN CAST(substr(NEW.content, 12, instr(NEW.content, ',') - 12) AS INTEGER) < 3
          BEGIN SELECT RAISE(ABORT, 'an older topup-ledger cannot add to this ledger: it counts TWD in cents'); END;
        CREATE TRIGGER ledger_link_units BEFORE INSERT ON ledger_link
          WHEN CAST(substr(NEW.content, 12, instr(NEW.content, ',') - 12) AS INTEGER) < 3
          BEGIN SELECT RAISE(ABORT, 'an older topup-ledger cannot add to this ledger: it counts TWD in cents'); END
        """)


def _views_for_readers(conn: sqlite3.Connection) -> None:
    # For people who open the file in sqlite3, Datasette or a spreadsheet's database link: the
    # records and cards as the contract shows them, and the decimals of each currency. The
    # currencies' rows are data: a currency added later comes with a step that inserts its row.
    from ledger.domain.money import CURRENCIES, minor_digits

    _run(conn, """
        CREATE TABLE currency (code TEXT PRIMARY KEY, digits INTEGER NOT NULL, scale INTEGER NOT NULL);
        CREATE VIEW records AS SELECT t.id AS id, c.label AS card, c.kind AS card_kind,
            CASE WHEN t.amount_minor IS NULL THEN NULL WHEN u.digits = 0 THEN CAST(t.amount_minor AS TEXT) ELSE printf('%d.%0' || u.digits || 'd', t.amount_minor / u.scale, t.amount_minor % u.scale) END AS amount, CASE WHEN t.paid_minor IS NULL THEN NULL WHEN u.digits = 0 THEN CAST(t.paid_minor AS TEXT) ELSE printf('%d.%0' || u.digits || 'd', t.paid_minor / u.scale, t.paid_minor % u.scale) END AS paid, t.currency AS currency,
            t.channel AS channel, t.outcome AS outcome, CASE WHEN t.occurred_at_utc IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', t.occurred_at_utc, 'localtime') || printf('%s%02d:%02d', CASE WHEN CAST(round((julianday(t.occurred_at_utc, 'localtime') - julianday(t.occurred_at_utc)) * 1440) AS INTEGER) < 0 THEN '-' ELSE '+' END, abs(CAST(round((julianday(t.occurred_at_utc, 'localtime') - julianday(t.occurred_at_utc)) * 1440) AS INTEGER)) / 60, abs(CAST(round((julianday(t.occurred_at_utc, 'localtime') - julianday(t.occurred_at_utc)) * 1440) AS INTEGER)) % 60) END AS occurred_at,
            t.ref AS ref, t.merchant AS merchant, t.note AS note,
            CASE WHEN t.balance_after_minor IS NULL THEN NULL WHEN u.digits = 0 THEN CAST(t.balance_after_minor AS TEXT) ELSE printf('%d.%0' || u.digits || 'd', t.balance_after_minor / u.scale, t.balance_after_minor % u.scale) END AS balance_after, t.valid_until AS valid_until, t.status AS status,
            (SELECT count(*) FROM receipt AS r WHERE r.topup_id = t.id) AS receipts,
            CASE WHEN t.created_at_utc IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', t.created_at_utc, 'localtime') || printf('%s%02d:%02d', CASE WHEN CAST(round((julianday(t.created_at_utc, 'localtime') - julianday(t.created_at_utc)) * 1440) AS INTEGER) < 0 THEN '-' ELSE '+' END, abs(CAST(round((julianday(t.created_at_utc, 'localtime') - julianday(t.created_at_utc)) * 1440) AS INTEGER)) / 60, abs(CAST(round((julianday(t.created_at_utc, 'localtime') - julianday(t.created_at_utc)) * 1440) AS INTEGER)) % 60) END AS created_at
          FROM topup AS t JOIN card AS c ON c.id = t.card_id LEFT JOIN currency AS u ON u.code = t.currency;
        CREATE VIEW cards AS SELECT c.label AS label, c.kind AS kind,
            CASE WHEN c.number IS NULL THEN NULL ELSE '****' || substr(c.number, -4) END AS number,
            c.region AS region, c.currency AS currency, c.issuer AS issuer,
            CASE WHEN c.max_topup_minor IS NULL THEN NULL WHEN u.digits = 0 THEN CAST(c.max_topup_minor AS TEXT) ELSE printf('%d.%0' || u.digits || 'd', c.max_topup_minor / u.scale, c.max_topup_minor % u.scale) END AS max_topup, CASE WHEN c.max_balance_minor IS NULL THEN NULL WHEN u.digits = 0 THEN CAST(c.max_balance_minor AS TEXT) ELSE printf('%d.%0' || u.digits || 'd', c.max_balance_minor / u.scale, c.max_balance_minor % u.scale) END AS max_balance,
            c.validity_days AS validity_days, c.retired_at_utc IS NOT NULL AS retired,
            CASE WHEN c.created_at_utc IS NULL THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%S', c.created_at_utc, 'localtime') || printf('%s%02d:%02d', CASE WHEN CAST(round((julianday(c.created_at_utc, 'localtime') - julianday(c.created_at_utc)) * 1440) AS INTEGER) < 0 THEN '-' ELSE '+' END, abs(CAST(round((julianday(c.created_at_utc, 'localtime') - julianday(c.created_at_utc)) * 1440) AS INTEGER)) / 60, abs(CAST(round((julianday(c.created_at_utc, 'localtime') - julianday(c.created_at_utc)) * 1440) AS INTEGER)) % 60) END AS created_at
          FROM card AS c LEFT JOIN currency AS u ON u.code = c.currency
        """)
    conn.executemany("INSERT INTO currency (code, digits, scale) VALUES (?, ?, ?)",
                     [(code, minor_digits(code), 10 ** minor_digits(code)) for code in CURRENCIES])


def _seals(conn: sqlite3.Connection) -> None:
    # Each seal issued of the chain is listed; a copy of the list is also kept outside the file,
    # where a rollback of the file cannot take it back.
    _run(conn, """
        CREATE TABLE seal (
            id INTEGER PRIMARY KEY,
            links INTEGER NOT NULL,
            head_seq INTEGER NOT NULL,
            head_digest TEXT NOT NULL,
            sealed_at_utc TEXT NOT NULL,
            statement_sha256 TEXT NOT NULL
        )
        """)


def _views_from_the_fields(conn: sqlite3.Connection) -> None:
    # From here on the views follow the registry of record fields: a step that adds a field's
    # column makes them again too, with `views.make`.
    views.make(conn)


def _card_profiles(conn: sqlite3.Connection) -> None:
    # The published rules a card was added with, kept with it (and chained with its other columns).
    _run(conn, "ALTER TABLE card ADD COLUMN profile TEXT")


def _paid_with(conn: sqlite3.Connection) -> None:
    # What paid is searched as the reference, merchant and note are. It joins the indexed text only
    # when known, after its own line break: every record already indexed has none, so the index
    # already holds each one's text exactly as these triggers would write it.
    _run(conn, """
        ALTER TABLE topup ADD COLUMN paid_with TEXT;
        DROP TRIGGER topup_fts_insert;
        DROP TRIGGER topup_fts_update;
        DROP TRIGGER topup_fts_delete;
        CREATE TRIGGER topup_fts_insert AFTER INSERT ON topup BEGIN
            INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, '') || coalesce(char(10) || new.paid_with, ''));
        END;
        CREATE TRIGGER topup_fts_update AFTER UPDATE OF ref, merchant, note, paid_with ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, '') || coalesce(char(10) || old.paid_with, ''));
            INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, '') || coalesce(char(10) || new.paid_with, ''));
        END;
        CREATE TRIGGER topup_fts_delete AFTER DELETE ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, '') || coalesce(char(10) || old.paid_with, ''));
        END
        """)
    views.make(conn)


def _day_alone(conn: sqlite3.Connection) -> None:
    # The day a top-up was given as, when it was given without its time (its moment is that day's midnight).
    _run(conn, "ALTER TABLE topup ADD COLUMN occurred_on TEXT")
    views.make(conn)


STEPS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("cards and top-ups", _cards_and_topups),
    ("full-text search", _search_index),
    ("bulk indexing for imports", _bulk_indexing),
    ("search-index trigger dropped during imports", _trigger_without_pause),
    ("cards and each change's action, reason and time in the hash chain", _chained_cards),
    ("TWD amounts in hundredths, as ISO 4217 counts them", _twd_in_cents),
    ("views of records and cards as the contract shows them, and each currency's decimals", _views_for_readers),
    ("the seals issued of the chain", _seals),
    ("views made from the record fields", _views_from_the_fields),
    ("the published rules of a card's profile", _card_profiles),
    ("what paid for each record, searched with its text", _paid_with),
    ("the day of a top-up given without its time", _day_alone),
]
LATEST = len(STEPS)
STEPS_RECORDED = [step for _name, step in STEPS].index(_twd_in_cents) + 1  # from this step on, `schema_step` lists them
CHAINED_CARDS = [step for _name, step in STEPS].index(_chained_cards) + 1  # from this step on, cards are chained


def upgrade(conn: sqlite3.Connection, target: int = LATEST,
            after: Callable[[sqlite3.Connection, int], None] | None = None) -> None:
    """Apply the missing steps up to `target`, all in one transaction; `after(conn, version it had)`
    runs at its end when any step was applied, so what it writes lands with the steps or not at all.

    The version is read inside the transaction, so two processes opening the same old ledger at
    once apply every step exactly once.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        for number, (name, step) in enumerate(STEPS[:target], start=1):
            if found < number:
                step(conn)
                if number >= STEPS_RECORDED:
                    conn.execute("INSERT INTO schema_step (version, name) VALUES (?, ?)", (number, name))
        if found < target:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {target}")
            if after is not None:
                after(conn, found)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _schema(conn: sqlite3.Connection) -> set[tuple[str, str, str, str]]:
    return set(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))


def version_without_marks(conn: sqlite3.Connection) -> int | None:
    """The schema version of a ledger that lost its header marks, or None if it is no ledger.

    A copy made with sqlite3's `.dump` keeps every table, index, trigger and row, word for word,
    but not `application_id` or `user_version`; what it holds is compared with each step's schema
    built afresh."""
    found, matching = _schema(conn), []
    for version in range(1, LATEST + 1):
        fresh = sqlite3.connect(":memory:", isolation_level=None)
        try:
            upgrade(fresh, version)
            if _schema(fresh) == found:
                matching.append(version)
        finally:
            fresh.close()
    if not matching or matching[-1] < STEPS_RECORDED:
        return matching[0] if len(matching) == 1 else None
    # A step may change only data: the file's own list says which steps it went through, and a
    # newer version's such step shows as a version above LATEST, to be refused as newer.
    recorded = conn.execute("SELECT max(version) FROM schema_step").fetchone()[0]
    return recorded if recorded in matching or (recorded or 0) > LATEST == matching[-1] else None


def restore_marks(conn: sqlite3.Connection) -> int | None:
    """Write the header marks back into a ledger that lost them, and turn on its write-ahead log as
    in every ledger; returns its schema version, or None when the marks were there. A file whose
    tables are not exactly a ledger's is refused (ValueError) and left as it was."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            conn.execute("ROLLBACK")
            return None
        version = version_without_marks(conn)
        if version is None:
            raise ValueError(_("its tables are not those of any topup ledger"))  # words for a person: db.repair_marks
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("PRAGMA journal_mode = WAL")
    return version
