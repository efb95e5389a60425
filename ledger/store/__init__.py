"""Where the ledger is kept, behind one interface.

`interface` declares it: an `Engine` is a ledger at its location, a `Ledger` one transaction on it;
`types` declares what crosses it. Each engine is a package of its own, chosen by the ledger's
location (`location`): `sqlite` for a ledger file. `schema` declares the tables every engine keeps.
"""

from __future__ import annotations

from ledger.errors import InvalidInput
from ledger.i18n import _
from ledger.store.interface import Engine
from ledger.store.location import Location


def engine_at(location: Location) -> Engine:
    """The engine that keeps the ledger at `location`."""
    if location.path is None:
        raise InvalidInput(_("{location} is a PostgreSQL database; this topup-ledger keeps a ledger in a file "
                             "only. Give a file with --db FILE or TOPUP_DB", location=location))
    from ledger.store.sqlite import SqliteEngine

    return SqliteEngine(location.path)
