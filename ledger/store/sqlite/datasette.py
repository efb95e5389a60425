"""How the ledger presents itself in Datasette: its views first, labels for cards, a text search.

Datasette lists a database's tables before its views; the views `records` and `cards` are what a
reader wants, so the tables they are made of are listed as hidden (still one click away). The
canned query looks for the text as one phrase in references, merchants and notes (through the
trigram index for three characters or more, by LIKE for shorter text such as 旺角) and in card
labels. Unlike `topup search`, several words are one phrase, and full-width letters are not folded.
"""

from __future__ import annotations

from typing import Any

# This engine's own tables, beside those every engine keeps (`store.schema`): all are hidden.
_OWN_TABLES = ("topup_fts",)

# The text as a LIKE pattern that matches it literally, as `search.like_pattern` makes it in Python:
# % and _ are characters, not wildcards.
PATTERN = "'%' || replace(replace(replace(:text, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"
_ANYWHERE = f"{PATTERN} ESCAPE '\\'"

SEARCH_SQL = f"""SELECT r.* FROM records AS r
WHERE r.id IN (
    SELECT rowid FROM topup_fts
     WHERE length(:text) >= 3 AND topup_fts MATCH '"' || replace(:text, '"', '""') || '"'
    UNION ALL
    SELECT id FROM topup
     WHERE length(:text) < 3 AND (ref LIKE {_ANYWHERE} OR merchant LIKE {_ANYWHERE} OR note LIKE {_ANYWHERE}))
   OR r.card LIKE {_ANYWHERE}
ORDER BY r.id DESC
LIMIT 1000"""


def metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for the ledger opened under the name `database` (its file's stem)."""
    from ledger.store import schema

    hidden = {name: {"hidden": True} for name in [*schema.SQLModel.metadata.tables, *_OWN_TABLES]}
    hidden["card"]["label_column"] = "label"  # a record's card_id shows as the card's label
    return {
        "title": "topup ledger",
        "description": "Top-ups to prepaid SIMs and stored-value cards. Amounts are decimals in the record's "
                       "currency; times are local with their offset. The tables behind the views are hidden.",
        "databases": {database: {
            "tables": {
                "records": {"label_column": "card", "sort_desc": "id",
                            "description": "Every top-up with the fields `topup export` writes; receipts counted."},
                "cards": {"label_column": "label", "description": "Cards and SIMs, numbers masked."},
                **hidden,
            },
            "queries": {"search": {"title": "Search records",
                                   "description": "A phrase within a reference, merchant, note or card label.",
                                   "sql": SEARCH_SQL}},
        }},
    }
