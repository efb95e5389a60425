"""Sealing the ledger's chain with a key kept outside it, and checking that the ledger still holds
every state it was sealed in (`domain.seal` says what a seal is).

The key is made on first use in the user's config folder (`seal_ed25519`, 0600, in OpenSSH's own
format, with its `.pub` and an `allowed_signers` file beside it). Each seal issued is listed in
the ledger and also in the user's data folder, one file per ledger id: a ledger rolled back to a
copy from before a seal no longer lists it, but the list outside still does, and a plain
`verify` finds the rollback.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ledger.domain import seal as sealed
from ledger.domain.seal import Seal
from ledger.domain.times import local_iso, now_utc, to_stored
from ledger.errors import InvalidInput, LedgerError
from ledger.store import seals
from ledger.store.db import Tx

KEY_FILE = "seal_ed25519"


def key_folder() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("topup-ledger"))


def _signing_key():  # type: ignore[no-untyped-def]
    """The seal key, made on first use (0600), with its public key beside it; its allowed_signers
    line is added to the keys trusted before (a seal made with an earlier key still checks)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = key_folder() / KEY_FILE
    key = Ed25519PrivateKey.generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made before, or by another command just now
        return _load_key(path)
    except OSError as exc:
        raise LedgerError(f"cannot make the seal key in {path.parent}: {exc.strerror}") from None
    with os.fdopen(descriptor, "wb") as written:
        written.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                        serialization.NoEncryption()))
    line = sealed.allowed_signers_line(_raw_public(key))
    path.with_suffix(".pub").write_text(sealed.public_key_line(line) + "\n")
    with (path.parent / "allowed_signers").open("a") as trusted:
        trusted.write(line + "\n")
    return key


def _load_key(path: Path):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_ssh_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise LedgerError(f"the seal key {path} cannot be used ({exc}); move it aside and a new one is made") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerError(f"the seal key {path} is not an Ed25519 key; move it aside and a new one is made")
    return key


def trusted_keys() -> set[bytes]:
    """The public keys of the allowed_signers file beside the seal key: this key and earlier ones."""
    import base64

    trusted = key_folder() / "allowed_signers"
    keys = set()
    for line in trusted.read_text().splitlines() if trusted.exists() else []:
        with suppress(ValueError, IndexError):
            keys.add(sealed.public_key_of(base64.b64decode(line.rsplit(" ", 1)[-1])))
    return keys


def _raw_public(key) -> bytes:  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization

    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True)
class Sealed:
    """A seal made: what it states, the statement, its SSH signature, and the allowed_signers line
    that lets `ssh-keygen -Y verify` check it."""

    seal: Seal
    statement: bytes
    signature: bytes
    allowed_signers: str

    def files(self, name: str) -> dict[str, bytes]:
        """The seal as files: NAME, NAME.sig and allowed_signers."""
        return {name: self.statement, f"{name}.sig": self.signature,
                "allowed_signers": (self.allowed_signers + "\n").encode()}


def seal(tx: Tx) -> Sealed:
    """Seal the chain as `tx` sees it. Nothing is written: `record` lists the seal once what it goes
    with (a seal's files, a backup, a dispute pack) is written."""
    state, ledger = seals.chain_state(tx.conn), seals.ledger_id(tx.conn)
    if state is None or ledger is None:
        raise InvalidInput("there is nothing to seal yet: the ledger has no cards or records")
    links, head_seq, head_digest = state
    moment = now_utc()
    made = Seal(ledger, links, head_seq, head_digest, local_iso(to_stored(moment)))
    statement = made.statement()
    key = _signing_key()
    signature = sealed.armored(_raw_public(key), key.sign(sealed.signed_data(statement)))
    return Sealed(made, statement, signature, sealed.allowed_signers_line(_raw_public(key)))


def record(tx: Tx, done: Sealed) -> None:
    """List a seal issued: outside the ledger first (where a rollback of the file cannot reach), then
    in it, in the writing transaction `tx`."""
    made = done.seal
    outside = _outside_list(made.ledger)
    try:
        outside.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with outside.open("a", encoding="utf-8") as listed:
            listed.write(f"{made.links} {made.head_seq} {made.head_digest} {made.sealed_at}\n")
    except OSError as exc:
        raise LedgerError(f"cannot list the seal in {outside}: {exc.strerror}") from None
    sealed_at = to_stored(datetime.fromisoformat(made.sealed_at))
    seals.record_seal(tx.conn, made.links, made.head_seq, made.head_digest, sealed_at,
                      hashlib.sha256(done.statement).hexdigest())


def seal_to_files(tx: Tx, target: Path | None, *, overwrite: bool) -> tuple[Sealed, Path]:
    """`topup seal`: seal the chain in the writing transaction `tx`, write the seal and its
    signature (to `target`, else topup-seal-TIME.txt) and list it; returns it and where it went."""
    done = seal(tx)
    target = target or Path(f"topup-seal-{done.seal.sealed_at[:19].replace(':', '').replace('T', '-')}.txt")
    write_files(done, target, overwrite=overwrite, ledger=tx.path)
    record(tx, done)
    return done, target


def write_files(done: Sealed, target: Path, *, overwrite: bool, ledger: Path) -> None:
    """The seal in `target` and its signature in `target`.sig: both, or neither."""
    from ledger.output.files import replaced_when_done

    with replaced_when_done(target, overwrite=overwrite, ledger=ledger) as statement, \
            replaced_when_done(Path(f"{target}.sig"), overwrite=overwrite, ledger=ledger) as signature:
        statement.write_bytes(done.statement)
        signature.write_bytes(done.signature)


def fresh(path: Path) -> tuple[Sealed | None, list[str]]:
    """A seal of the ledger at `path` as it is now, for what leaves with it (a backup, a dispute
    pack), not listed yet (`listed`, once that is written). None, and why, when none can be made:
    what it goes with is made all the same."""
    from ledger.store.db import transaction
    from ledger.store.header import is_ledger_file

    try:
        if not is_ledger_file(path):
            return None, []  # no ledger, nothing to seal: the command itself says what is missing
        with transaction(path) as tx:
            return seal(tx), []
    except LedgerError as exc:
        return None, [f"no seal was made: {exc.message}"]


def listed(path: Path, done: Sealed) -> list[str]:
    """List a seal that went out with a backup or a dispute pack. Where the ledger cannot be written
    (a read-only folder) the seal still holds; it is only not listed in it, and that is said."""
    from ledger.store.db import transaction

    try:
        with transaction(path, write=True) as tx:
            record(tx, done)
    except LedgerError as exc:
        return [f"the seal was made but not listed in the ledger: {exc.message}"]
    return []


def _outside_list(ledger: str) -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("topup-ledger")) / "seals" / f"{ledger}.list"


def held(tx: Tx, made: Seal) -> str | None:
    """Why the ledger does not hold the sealed state, or None when it does (it may have grown)."""
    conn = tx.conn
    if made.ledger != seals.ledger_id(conn):
        return (f"it seals ledger {made.ledger}, not this one ({seals.ledger_id(conn)}): another ledger, or this "
                "one rewritten from its first link")
    digest = seals.digest_at(conn, made.head_seq)
    if digest is None:
        state = seals.chain_state(conn)
        return (f"this file is older than that seal: it has {state[0] if state else 0} links, the seal counts "
                f"{made.links}. Expected of an older backup; a working ledger like this was rolled back")
    if digest != made.head_digest or seals.links_up_to(conn, made.head_seq) != made.links:
        return f"its link {made.head_seq} is not the one sealed: the history up to it was rewritten"
    return None


def check_files(tx: Tx, path: Path) -> list[str]:
    """What is wrong with the seal in `path` (and its signature in `path`.sig) against the ledger."""
    signature_path = Path(f"{path}.sig")
    try:
        statement, signature = path.read_bytes(), signature_path.read_bytes()
    except OSError as exc:
        raise LedgerError(f"cannot read the seal {exc.filename}: {exc.strerror}") from None
    made = sealed.read_statement(statement, str(path))
    public, raw = sealed.read_armored(signature, str(signature_path))
    if not _signed(public, raw, statement):
        return [f"{path}: its signature does not match it: the seal was changed"]
    if public not in trusted_keys():
        return [f"{path}: it was signed with a key not in {key_folder() / 'allowed_signers'}: not a seal of yours"]
    why = held(tx, made)
    return [] if why is None else [f"{path}: {why}"]


def _signed(public: bytes, signature: bytes, statement: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, sealed.signed_data(statement))
    except (InvalidSignature, ValueError):
        return False
    return True


def known_seals_problems(tx: Tx) -> list[str]:
    """For a plain `verify`: each seal the ledger lists, or the list outside it lists, that the
    ledger no longer holds."""
    ledger = seals.ledger_id(tx.conn)
    if ledger is None:
        return []
    known: dict[tuple[int, str], Seal] = {}
    for links, seq, digest, at in seals.issued(tx.conn):
        known[(seq, digest)] = Seal(ledger, links, seq, digest, local_iso(at) or at)
    outside, unreadable = _outside_list(ledger), []
    lines = outside.read_text(encoding="utf-8", errors="replace").splitlines() if outside.exists() else []
    for number, line in enumerate(lines, start=1):
        try:
            links, seq, digest, at = line.split()
            known.setdefault((int(seq), digest), Seal(ledger, int(links), int(seq), digest, at))
        except ValueError:
            unreadable.append(f"line {number} of {outside} is not a seal's record: {line[:60]!r}")
    return unreadable + [f"the seal of {made.sealed_at}: {why}" for _, made in sorted(known.items())
                         if (why := held(tx, made)) is not None]
