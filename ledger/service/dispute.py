"""The dispute pack: what a carrier or card issuer needs to look into a missing top-up.

One zip with the records (CSV and JSON), their receipt files, a short summary a person at a
counter can read (English and Chinese headings, card number masked), and a manifest of the
SHA-256 of every file and each record's hash-chain digest.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.domain import chain
from ledger.domain.fields import FIELD_NAMES
from ledger.domain.receipts import distinct_names, safe_file_name
from ledger.domain.times import local_iso, now_utc, to_stored
from ledger.domain.values import Status, mask_number
from ledger.errors import InvalidInput
from ledger.output import formats
from ledger.output.files import replaced_when_done
from ledger.store import migrations, reads
from ledger.store.db import Tx

if TYPE_CHECKING:
    from ledger.service.sealing import Sealed

_SUMMARY_FIELDS = [
    ("Record 記錄", "id"), ("Card 卡", "card_line"), ("Amount credited 充值金額", "amount_line"),
    ("Paid 實付", "paid_line"), ("Time 時間", "occurred_at"), ("Channel 渠道", "channel"),
    ("Reference 交易編號", "ref"), ("Merchant 商戶", "merchant"), ("Outcome 結果", "outcome"),
    ("Balance after 充值後餘額", "balance_line"), ("Status 狀態", "status"), ("Note 備註", "note"),
]


def parse_ids(texts: list[str]) -> list[int]:
    """Record ids as typed: `3 7 12` or `3,7,12`, each once, in the order given."""
    ids: list[int] = []
    for text in texts:
        for part in text.replace("，", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isascii() or not part.isdigit():
                raise InvalidInput(f"{part!r} is not a record id; give ids such as --dispute 3 7 12")
            if int(part) not in ids:
                ids.append(int(part))
    if not ids:
        raise InvalidInput("give the ids of the records in dispute, e.g. --dispute 3 7")
    return ids


CHECKING = """How to check this pack, with no topup-ledger installed:

  sha256sum -c SHA256SUMS
      every file in the pack is as it was written (SHA256SUMS lists them all)

  ssh-keygen -Y verify -f allowed_signers -I topup-ledger -n topup-seal -s seal.txt.sig < seal.txt
      seal.txt was signed with the key in allowed_signers: the ledger held the history it states
      (its number of links and the newest link's digest) at the time it states

manifest.json gives each record's newest chain digest; records.json each record's history: every
version with its values, action, reason, time and digest.
"""


def export(path: Path, ids: list[int], target: Path) -> tuple[dict[str, Any], list[str]]:
    """The dispute pack of the ledger at `path`, with a fresh seal of it; its manifest, and what to say
    of the seal."""
    from ledger.service import sealing
    from ledger.store.db import transaction

    done, notes = sealing.fresh(path)
    with transaction(path) as tx:
        manifest = write_pack(tx, ids, target, done)
    return manifest, notes + (sealing.listed(path, done) if done else [])


def write_pack(tx: Tx, ids: list[int], target: Path, sealed: Sealed | None = None) -> dict[str, Any]:
    """Write the pack to `target` (a .zip), with the seal made for it if there is one; returns its manifest."""
    if target.suffix.lower() != ".zip":
        raise InvalidInput(f"the dispute pack is a zip file; name it like {target.with_suffix('.zip').name}")
    records: list[dict[str, Any]] = []
    files: list[tuple[str, bytes]] = []
    for topup_id in ids:
        record: dict[str, Any] = dict(reads.get_record(tx.conn, topup_id))
        card = reads.card_of(tx.conn, topup_id)
        # Every version with its values: an amended record shows what it was, what it became and why.
        record["history"] = [
            {"version": v["version"], "action": v["action"], "reason": v["reason"],
             "recorded_at": local_iso(v["recorded_at_utc"]), "values": chain.version_fields(v["content"]),
             "prev_digest": v["prev_digest"], "digest": v["digest"]}
            for v in reads.versions(tx.conn, topup_id)
        ]
        record["card_number"] = mask_number(card["number"])
        record["card_issuer"] = card["issuer"]
        records.append(record)
        files += _receipt_files(tx, topup_id)
    payload = {
        "records.csv": _csv(records),
        "records.json": json.dumps(records, ensure_ascii=False, indent=2).encode(),
        "records.xlsx": _workbook(records),
        "summary.txt": _summary(records).encode(),
        **{name: data for name, data in files},
        **(sealed.files("seal.txt") | {"CHECK.txt": CHECKING.encode()} if sealed else {}),
    }
    manifest = {
        "generated_at": local_iso(to_stored(now_utc())),
        "ledger_schema": migrations.LATEST,
        "records": [{"id": r["id"], "chain_digest": r["history"][-1]["digest"],
                     "void": r["status"] == Status.void.value} for r in records],
        "files": [{"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                  for name, data in payload.items()],
    }
    payload["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    # Whoever receives the pack checks every file with `sha256sum -c SHA256SUMS`, without this program.
    payload["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                                    for name, data in payload.items()).encode()
    with replaced_when_done(target, ledger=tx.path) as partial, \
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as pack:
        for name, data in payload.items():
            pack.writestr(name, data)
    return manifest


def _receipt_files(tx: Tx, topup_id: int) -> list[tuple[str, bytes]]:
    """Each receipt file of a record under a name of its own in the pack."""
    rows = reads.receipt_files(tx.conn, topup_id)
    names = distinct_names([safe_file_name(name, f"receipt-{index}") for index, (name, _, _) in enumerate(rows, 1)])
    return [(f"receipts/record-{topup_id}/{name}", bytes(data)) for name, (_, _, data) in zip(names, rows, strict=True)]


def _workbook(records: list[dict[str, Any]]) -> bytes:
    from ledger.output.workbook import write_workbook

    buffer = io.BytesIO()
    write_workbook(buffer, records)
    return buffer.getvalue()


def _csv(records: list[dict[str, Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    formats.write_csv(buffer, records, FIELD_NAMES)
    return buffer.getvalue().encode()


def _summary(records: list[dict[str, Any]]) -> str:
    generated = local_iso(to_stored(now_utc()))
    lines = ["Top-up records for a dispute / 充值爭議記錄", f"Generated 製作時間: {generated}", ""]
    for record in records:
        currency = record["currency"]
        if record["status"] == Status.void.value:
            lines.append("VOID 已作廢: this record was voided; it is not counted as a top-up")
        view = {
            **record,
            "card_line": " ".join(filter(None, [record["card"], f"({record['card_kind']})", record["card_number"],
                                                record["card_issuer"]])),
            "amount_line": f"{record['amount']} {currency}",
            "paid_line": f"{record['paid']} {currency}" if record["paid"] else None,
            "balance_line": f"{record['balance_after']} {currency}" if record["balance_after"] else None,
        }
        for heading, key in _SUMMARY_FIELDS:
            if view.get(key) not in (None, ""):  # a note's further lines stay under its heading
                lines.append(f"{heading}: " + str(view[key]).replace("\n", "\n    "))
        for receipt in record["receipts"]:
            lines.append(f"Receipt 收據: {receipt['name']} (SHA-256 {receipt['sha256']})")
        for version in record["history"]:
            reason = f" — {version['reason']}" if version["reason"] else ""
            values = version["values"]
            lines.append(f"History 歷史: v{version['version']} {version['action']} {version['recorded_at']}: "
                         f"{values['amount']} {values['currency']} {values['outcome']} {values['status']}{reason}")
        lines.append("")
    lines.append("manifest.json lists the SHA-256 of every file in this pack and each record's chain digest.")
    return "\n".join(lines) + "\n"
