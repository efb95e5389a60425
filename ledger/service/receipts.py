"""Receipt files as evidence: read from the user's files or a form, kept with a record, and handed
back byte for byte, each checked against its digest first."""

from __future__ import annotations

import hashlib
import mimetypes
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from ledger.domain.fields import Record, ShownRecord
from ledger.domain.receipts import MAX_RECEIPT_BYTES, ReceiptFile, distinct_names, receipt_file, renamed, safe_file_name
from ledger.domain.times import now_utc, to_stored
from ledger.errors import DamageFound, Duplicate, InvalidInput, LedgerError, NotFound
from ledger.i18n import _
from ledger.private import make_folder, remove_if_empty
from ledger.service.opening import its_own
from ledger.service.records import show_record, shown_record, stored_topup
from ledger.store.interface import Ledger


def read_receipt(path_text: str) -> ReceiptFile:
    """Read one receipt file whole; refuse what is missing, a folder, unreadable or too big."""
    path = Path(path_text).expanduser()
    if not path.exists():
        raise InvalidInput(_("receipt file {path!r} does not exist", path=path_text))
    if path.is_dir():
        raise InvalidInput(_("receipt {path!r} is a folder; give the file inside it", path=path_text))
    if not path.is_file():
        raise InvalidInput(_("receipt {path!r} is not a regular file", path=path_text))
    size = path.stat().st_size
    if size > MAX_RECEIPT_BYTES:
        raise InvalidInput(_("receipt {path!r} is {size:,} bytes; the limit is {limit:,} (25 MB)", path=path_text,
                             size=size, limit=MAX_RECEIPT_BYTES))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(_("cannot read receipt {path!r}: {reason}", path=path_text, reason=exc.strerror)) from None
    return received_receipt(path.name, data, repr(path_text))


def received_receipt(name: str, data: bytes, shown: str) -> ReceiptFile:
    """A receipt file's bytes as read or uploaded, under its name: refused when empty or over the
    limit; its type is told by its name, whichever way it came."""
    if not data:
        raise InvalidInput(_("receipt {name} is empty; nothing to keep", name=shown))
    if len(data) > MAX_RECEIPT_BYTES:
        raise InvalidInput(_("receipt {name} is over the 25 MB limit", name=shown))
    name = unicodedata.normalize("NFC", name)
    return receipt_file(name, data, mimetypes.guess_type(name)[0] or "application/octet-stream")


def add_receipts(ledger: Ledger, topup_id: int, file_paths: list[str]) -> tuple[Record, int]:
    """Keep more receipt files with a record; returns the record and how many files were new."""
    files = [read_receipt(p) for p in file_paths]
    now = to_stored(now_utc())
    row = stored_topup(ledger, topup_id)
    added = ledger.add_receipts(topup_id, files, now)
    if added:
        row["version"] += 1
        ledger.update_topup(row)
        # Kept in the history, which is evidence: the same words whatever the reader's language.
        reason = "; ".join(filter(None, [f"{added} receipt file(s) added", renamed(files)]))
        ledger.record_version(row, "receipt", reason, now)
    return shown_record(ledger, topup_id), added


def write_receipts(ledger: Ledger, topup_id: int, folder: Path) -> list[Path]:
    """Write a record's receipt files into `folder` (made if missing), byte for byte, never over an
    existing file."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(_("{folder} is a file, not a folder; give a folder to write the receipts into",
                             folder=folder))
    files = stored_receipts(ledger, topup_id)
    if not files:
        raise NotFound(_("record {id} has no receipt files; `topup receipt add {id} FILE` keeps one", id=topup_id))
    made = _make_private_folder(folder)
    written: list[Path] = []
    try:
        for index, receipt in enumerate(files, start=1):
            name = safe_file_name(receipt.name, f"receipt-{topup_id}-{index}")
            written.append(_write_new(folder, name, receipt.data, written, its_own(ledger.location)))
    finally:
        if not written:  # a refusal leaves no trace, not even the folder made for the files
            remove_if_empty(made)
    return written


class WithReceipts(NamedTuple):
    """A record, every version of it, and its receipt files; or, when a file is damaged, what is."""

    record: ShownRecord
    files: list[ReceiptFile]
    damage: str | None


def with_receipts(ledger: Ledger, topup_id: int) -> WithReceipts:
    """A record with its history and its receipt files; a damaged file leaves the record worth seeing."""
    record = show_record(ledger, topup_id)
    try:
        return WithReceipts(record, stored_receipts(ledger, topup_id), None)
    except DamageFound as found:
        return WithReceipts(record, [], found.message)


def stored_receipts(ledger: Ledger, topup_id: int) -> list[ReceiptFile]:
    """A record's receipt files as kept, each checked against its digest: a damaged file is never
    handed out as evidence."""
    shown_record(ledger, topup_id)  # refuses a record that does not exist
    files = ledger.receipt_files(topup_id)
    for receipt in files:
        if hashlib.sha256(receipt.data).hexdigest() != receipt.sha256:
            raise DamageFound(_("receipt {name!r} of record {id} is damaged in the ledger; run `topup verify`",
                                name=receipt.name, id=topup_id))
    return files


def _make_private_folder(folder: Path) -> list[Path]:
    """Make `folder` and each missing parent, as `mkdir -p` would, but readable only by the user;
    returns those made."""
    try:
        return make_folder(folder)
    except OSError as exc:
        raise LedgerError(_("the folder {folder} could not be made: {reason}", folder=folder,
                            reason=exc.strerror)) from None


def _write_new(folder: Path, name: str, data: bytes, written: list[Path], kept: Callable[[Path], bool]) -> Path:
    """Write `data` into `folder` under `name`, or the first free variant of it (also apart from the
    files just `written`, ignoring case): private (0600), whole or not at all, never over a file."""
    from ledger.output.files import replaced_when_done

    chosen = {path.name.casefold() for path in written}
    while True:
        (free,) = distinct_names([name], taken=lambda n: n.casefold() in chosen or (folder / n).exists())
        try:
            with replaced_when_done(folder / free, overwrite=False, kept=kept) as partial:
                partial.write_bytes(data)
            return folder / free
        except Duplicate:
            continue  # another command took that name meanwhile: the next one
