"""Opening the ledger in Datasette: the file brought to the schema that has the views, the metadata
that shows them first (the engine's) to the one who started it only, and the Datasette to run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ledger.errors import LedgerError
from ledger.i18n import _
from ledger.private import make_folder, write_file
from ledger.store import engine_at
from ledger.store.location import Location


def prepare(location: Location, target: Path | None) -> Path:
    """Bring the ledger to the newest schema (the views came with schema 7) and write Datasette's
    metadata for it to `target`, else into the user's cache folder; returns where it went."""
    import platformdirs

    target = target or Path(platformdirs.user_cache_dir("topup-ledger")) / "datasette-metadata.json"
    engine = engine_at(location)
    with engine.transaction(write=True) as ledger:
        ledger.bring_up_to_date()
    # Only Datasette's root, whom the address printed by `--root` signs in, sees anything: the views
    # and tables hold the whole ledger, and any page in a browser (one whose name was made to point
    # here, too) could otherwise read them.
    metadata = {**engine.datasette_metadata(), "allow": {"id": "root"}}
    try:
        make_folder(target.parent)
        write_file(target, json.dumps(metadata, ensure_ascii=False, indent=2).encode())
    except OSError as exc:
        raise LedgerError(_("cannot write {path}: {reason}", path=target, reason=exc.strerror)) from None
    return target


def command() -> list[str]:
    """Datasette as installed on the PATH, or beside this program; refused when it is neither."""
    import importlib.util
    import shutil

    if found := shutil.which("datasette"):
        return [found]
    if importlib.util.find_spec("datasette") is not None:
        return [sys.executable, "-m", "datasette"]
    raise LedgerError(_("Datasette is not installed: `pipx install datasette` (or `pip install datasette`), then "
                        "run this again; or write the metadata with --write-metadata FILE"))
