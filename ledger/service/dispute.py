"""The dispute pack: what a carrier or card issuer needs to look into a missing top-up.

One zip with the records (CSV, JSON and a workbook), their receipt files, a letter a person at a
counter can read (summary.html, card number masked unless revealed), a seal of the ledger, and
SHA256SUMS and a manifest of every file with each record's hash-chain digest.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.domain.fields import FIELD_NAMES
from ledger.domain.receipts import ReceiptFile, distinct_names, safe_file_name
from ledger.domain.seal import fingerprint, public_key_line
from ledger.domain.times import local_iso, now_utc, to_stored
from ledger.domain.values import Status, clean_text, clean_token, mask_number
from ledger.errors import InvalidInput
from ledger.i18n import LANGUAGES, N_, _, parse_language, speaking
from ledger.output import formats
from ledger.output.files import replaced_when_done
from ledger.output.letter import PackedRecord, SealShown, default_language, render
from ledger.service.cards import card_of
from ledger.service.opening import its_own
from ledger.service.receipts import stored_receipts
from ledger.service.records import history, shown_record
from ledger.store.interface import Ledger
from ledger.store.location import Location

if TYPE_CHECKING:
    from ledger.service.sealing import Sealed


def parse_ids(texts: list[str]) -> list[int]:
    """Record ids as typed: `3 7 12` or `3,7,12`, each once, in the order given."""
    ids: list[int] = []
    for text in texts:
        for part in clean_token(text).split(","):  # full-width digits and commas (，) fold to ASCII
            part = part.strip()
            if not part:
                continue
            if not part.isascii() or not part.isdigit():
                raise InvalidInput(_("{part!r} is not a record id; give ids such as --dispute 3 7 12", part=part))
            if int(part) not in ids:
                ids.append(int(part))
    if not ids:
        raise InvalidInput(_("give the ids of the records in dispute, e.g. --dispute 3 7"))
    return ids


SUM_CHECK = "sha256sum -c SHA256SUMS"
SEAL_CHECK = "ssh-keygen -Y verify -f allowed_signers -I topup-ledger -n topup-seal -s seal.txt.sig < seal.txt"
# CHECK.txt, in the letter's language; the commands are given as values, so that no translation changes them.
CHECKING = N_("""How to check this pack, with no topup-ledger installed:

  {sum_check}
      every file in the pack is as it was written (SHA256SUMS lists them all)

  {seal_check}
      seal.txt was signed with the key in allowed_signers: the ledger held the history it states
      (its number of links and the newest link's digest) at the time it states

  ssh-keygen -l -f seal.pub
      the fingerprint of the same key (seal.pub is allowed_signers' key as a key file), to compare
      with the one the sender gave you another way: a pack vouches only for a key you know is theirs

manifest.json gives each record's newest chain digest; records.json each record's history: every
version with its values (content), action, reason, time and digest.
""")


@dataclass(frozen=True)
class Letter:
    """How summary.html is written: its language (None: the first card's), the full card number or
    the last four, and who writes it."""

    language: str | None = None
    reveal: bool = False
    writer: str | None = None


def letter(language: str | None, reveal: bool, writer: str | None) -> Letter:
    """The letter's options as typed: `--lang zh-TW`, `--reveal`, `--name 陳大文`."""
    name = clean_text(writer, N_("name"), 200, multiline=False) if writer is not None else None
    chosen = None
    if language is not None and (chosen := parse_language(language)) is None:
        raise InvalidInput(_("--lang {language!r} is not one the letter is written in; use {languages}",
                             language=language, languages=", ".join(LANGUAGES)))
    return Letter(chosen, reveal, name or None)


@dataclass(frozen=True)
class PackedId:
    """A record in the pack: its id, its newest link's digest, and whether it is void."""

    id: int
    chain_digest: str
    void: bool


@dataclass(frozen=True)
class PackFile:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What a pack holds, as its manifest.json says."""

    generated_at: str | None
    ledger_schema: int
    records: list[PackedId]
    files: list[PackFile]


def export(location: Location, ids: list[int], target: Path, letter: Letter) -> tuple[Manifest, list[str]]:
    """The dispute pack of the ledger at `location`, with a fresh seal of it; its manifest, and what to
    say of the seal."""
    from ledger.service import sealing
    from ledger.service.opening import transaction

    done, notes = sealing.fresh(location)
    with transaction(location) as ledger:
        manifest = write_pack(ledger, ids, target, letter, done)
    return manifest, notes + (sealing.listed(location, done) if done else [])


def write_pack(ledger: Ledger, ids: list[int], target: Path, letter: Letter,
               sealed: Sealed | None = None) -> Manifest:
    """Write the pack to `target` (a .zip), with the seal made for it if there is one; returns its manifest."""
    if target.suffix.lower() != ".zip":
        raise InvalidInput(_("the dispute pack is a zip file; name it like {name}",
                             name=target.with_suffix(".zip").name))
    records: list[dict[str, Any]] = []
    packed: list[PackedRecord] = []
    for topup_id in ids:
        record: dict[str, Any] = dict(shown_record(ledger, topup_id))
        card = card_of(ledger, topup_id)
        # Every version with its values: an amended record shows what it was, what it became and why.
        record["history"] = history(ledger, topup_id)
        record["card_number"] = mask_number(card["number"])
        record["card_issuer"] = card["issuer"]
        records.append(record)
        packed.append(PackedRecord(record, dict(card), _receipt_files(ledger, topup_id)))
    made_at = local_iso(to_stored(now_utc()))
    language = _language(packed, letter)
    with speaking(language):  # the receiver reads CHECK.txt in the letter's language
        checking = _(CHECKING, sum_check=SUM_CHECK, seal_check=SEAL_CHECK)
    payload = {
        "records.csv": _csv(records),
        "records.json": json.dumps(records, ensure_ascii=False, indent=2).encode(),
        "records.xlsx": _workbook(records),
        "summary.html": _letter(packed, letter, language, made_at, sealed).encode(),
        **{place: receipt.data for item in packed for receipt, place in item.receipts},
        **(sealed.files("seal.txt") | {"seal.pub": (public_key_line(sealed.allowed_signers) + "\n").encode(),
                                       "CHECK.txt": checking.encode()} if sealed else {}),
    }
    manifest = Manifest(made_at, ledger.schema,
                        [PackedId(r["id"], r["history"][-1]["digest"], r["status"] == Status.void.value)
                         for r in records],
                        [PackFile(name, hashlib.sha256(data).hexdigest(), len(data)) for name, data in payload.items()])
    payload["manifest.json"] = json.dumps(asdict(manifest), ensure_ascii=False, indent=2).encode()
    # Whoever receives the pack checks every file with `sha256sum -c SHA256SUMS`, without this program.
    payload["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                                    for name, data in payload.items()).encode()
    with replaced_when_done(target, kept=its_own(ledger.location)) as partial, \
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, data in payload.items():
            pack.writestr(name, data)
    return manifest


def _receipt_files(ledger: Ledger, topup_id: int) -> list[tuple[ReceiptFile, str]]:
    """Each receipt file of a record, checked, with a name of its own in the pack."""
    files = stored_receipts(ledger, topup_id)
    names = distinct_names([safe_file_name(f.name, f"receipt-{index}") for index, f in enumerate(files, 1)])
    return [(receipt, f"receipts/record-{topup_id}/{name}") for receipt, name in zip(files, names, strict=True)]


def _language(packed: list[PackedRecord], letter: Letter) -> str:
    """The letter's language: the one asked for, else that of the first record's card."""
    first = packed[0].card
    return letter.language or default_language(first["region"], first["currency"])


def _letter(packed: list[PackedRecord], letter: Letter, language: str, made_at: str, sealed: Sealed | None) -> str:
    shown = SealShown(sealed.seal.ledger, sealed.seal.links, sealed.seal.head_digest, sealed.seal.sealed_at,
                      fingerprint(sealed.allowed_signers)) if sealed else None
    checks = f"{SUM_CHECK}\n{SEAL_CHECK}" if sealed else SUM_CHECK
    return render(packed, language=language, reveal=letter.reveal, writer=letter.writer, made_at=made_at, seal=shown,
                  checking=checks)


def _workbook(records: list[dict[str, Any]]) -> bytes:
    from ledger.output.workbook import write_workbook

    buffer = io.BytesIO()
    write_workbook(buffer, records)
    return buffer.getvalue()


def _csv(records: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    formats.write_csv(buffer, records, FIELD_NAMES)
    return buffer.getvalue().encode()
