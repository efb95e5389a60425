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
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ledger.domain import seal as sealed
from ledger.domain.seal import Seal
from ledger.domain.times import local_iso, now_utc, to_stored
from ledger.domain.values import shell_word
from ledger.errors import InvalidInput, LedgerError
from ledger.i18n import _
from ledger.private import FILE_MODE, make_folder, open_to_others, write_file
from ledger.service.opening import its_own, transaction
from ledger.sources.files import read_regular
from ledger.store.interface import Ledger
from ledger.store.location import Location
from ledger.store.types import IssuedSeal

KEY_FILE = "seal_ed25519"
_MAX_SEAL_BYTES = 2**20  # a seal and its signature are a few hundred bytes


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
        make_folder(path.parent)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:  # made before, or by another command just now
        return _load_key(path)
    except OSError as exc:
        raise LedgerError(_("cannot make the seal key in {folder}: {reason}", folder=path.parent,
                            reason=exc.strerror)) from None
    with os.fdopen(descriptor, "wb") as written:
        os.fchmod(descriptor, FILE_MODE)
        written.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                        serialization.NoEncryption()))
    line = sealed.allowed_signers_line(_raw_public(key))
    try:
        write_file(path.with_suffix(".pub"), (sealed.public_key_line(line) + "\n").encode())
        write_file(path.parent / "allowed_signers", (line + "\n").encode(), append=True)
    except OSError as exc:
        raise LedgerError(_("cannot make the seal key in {folder}: {reason}", folder=path.parent,
                            reason=exc.strerror)) from None
    return key


def _load_key(path: Path):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_ssh_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError, OSError) as exc:
        raise LedgerError(_("the seal key {path} cannot be used ({problem}); move it aside and a new one is made",
                            path=path, problem=exc)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerError(_("the seal key {path} is not an Ed25519 key; move it aside and a new one is made",
                            path=path))
    return key


def trusted_keys() -> set[bytes]:
    """The public keys of the allowed_signers file beside the seal key: this key and earlier ones."""
    import base64

    trusted = _trusted_as_own(key_folder() / "allowed_signers")
    keys = set()
    for line in trusted.read_text().splitlines() if trusted.exists() else []:
        with suppress(ValueError, IndexError):
            keys.add(sealed.public_key_of(base64.b64decode(line.rsplit(" ", 1)[-1])))
    return keys


def _trusted_as_own(path: Path) -> Path:
    """`path`, refused when another user could have changed it or its folder: a key or a seal
    written there by someone else would make a forged history pass."""
    loose = open_to_others(path)
    if loose is not None:
        raise LedgerError(_("{path} could be changed by other users of this computer, so the seals it lists or "
                            "the keys it trusts cannot be relied on. Check that it holds only what you made, then "
                            "make it yours alone: chmod go-w {shown}", path=loose, shown=shell_word(str(loose))))
    return path


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


def seal(ledger: Ledger) -> Sealed:
    """Seal the chain as the transaction sees it. Nothing is written: `record` lists the seal, before
    its files and a backup take their names, after a dispute pack is written."""
    state, ledger_id = ledger.chain_state(), ledger.ledger_id()
    if state is None or ledger_id is None:
        raise InvalidInput(_("there is nothing to seal yet: the ledger has no cards or records"))
    moment = now_utc()
    made = Seal(ledger_id, state.links, state.head_seq, state.head_digest, local_iso(to_stored(moment)))
    statement = made.statement()
    key = _signing_key()
    signature = sealed.armored(_raw_public(key), key.sign(sealed.signed_data(statement)))
    return Sealed(made, statement, signature, sealed.allowed_signers_line(_raw_public(key)))


def record(ledger: Ledger, done: Sealed) -> None:
    """List a seal issued: outside the ledger first (where a rollback of the file cannot reach), then
    in it, in the writing transaction `ledger`."""
    made = done.seal
    outside = _outside_list(made.ledger)
    try:
        make_folder(outside.parent)
        line = f"{made.links} {made.head_seq} {made.head_digest} {made.sealed_at}\n"
        write_file(_trusted_as_own(outside), line.encode(), append=True)
        places = _trusted_as_own(outside.with_suffix(".places"))
        here = _place(ledger.location)
        if here not in _lines(places):
            write_file(places, (here + "\n").encode(), append=True)
    except OSError as exc:
        raise LedgerError(_("cannot list the seal in {path}: {reason}", path=outside, reason=exc.strerror)) from None
    sealed_at = to_stored(datetime.fromisoformat(made.sealed_at))
    ledger.add_seal(IssuedSeal(made.links, made.head_seq, made.head_digest, sealed_at),
                    hashlib.sha256(done.statement).hexdigest())


def seal_to_files(location: Location, target: Path | None, *,
                  overwrite: bool) -> tuple[Sealed, Path, list[str]]:
    """`topup seal`: seal the chain of the ledger at `location` and list the seal, then put it and its
    signature in place (`target`, else topup-seal-TIME.txt); returns it, where it went, and what to say
    of the ledger. Listed first, so that a seal's file is never there unlisted, even if the command
    is killed."""
    with ExitStack() as placing:
        with transaction(location, write=True) as ledger:
            done = seal(ledger)
            target = target or Path(f"topup-seal-{done.seal.sealed_at[:19].replace(':', '').replace('T', '-')}.txt")
            placing.enter_context(written(done, target, overwrite=overwrite, kept=its_own(location)))
            record(ledger, done)
        # listed, and the listing committed: only now do the files take their names
    return done, target, ledger.notices


@contextmanager
def written(done: Sealed, target: Path, *, overwrite: bool, kept: Callable[[Path], bool]) -> Iterator[None]:
    """The seal and its signature written under temporary names, put in place as `target`.sig and
    then `target` when the block succeeds: the seal's file appears only once its signature is beside
    it, and one cut short between the two is refused by `verify --seal` for want of the seal's file."""
    from ledger.output.files import replaced_when_done

    with replaced_when_done(target, overwrite=overwrite, kept=kept) as statement, \
            replaced_when_done(Path(f"{target}.sig"), overwrite=overwrite, kept=kept) as signature:
        statement.write_bytes(done.statement)
        signature.write_bytes(done.signature)
        yield


def fresh(location: Location) -> tuple[Sealed | None, list[str]]:
    """A seal of the ledger at `location` as it is now, for what leaves with it (a backup, a dispute
    pack), not listed yet (`listed` does that). None, and why, when none can be made:
    what it goes with is made all the same."""
    from ledger.store import engine_at

    try:
        engine = engine_at(location)
        if not engine.exists():
            return None, []  # no ledger, nothing to seal: the command itself says what is missing
        with engine.transaction() as ledger:
            return seal(ledger), []
    except LedgerError as exc:
        return None, [_("no seal was made: {reason}", reason=exc.message)]


def listed(location: Location, done: Sealed) -> list[str]:
    """List a seal that went out with a backup or a dispute pack. Where the ledger cannot be written
    (a read-only folder) the seal still holds; it is only not listed in it, and that is said."""
    from ledger.store import engine_at

    try:
        with engine_at(location).transaction(write=True) as ledger:
            record(ledger, done)
    except LedgerError as exc:
        return [_("the seal was made but not listed in the ledger: {reason}", reason=exc.message)]
    return []


def _outside_list(ledger_id: str) -> Path:
    """The list of the seals of ledger `ledger_id`; beside it, `ID.places`, where that ledger was
    when it was sealed."""
    import platformdirs

    return Path(platformdirs.user_data_dir("topup-ledger")) / "seals" / f"{ledger_id}.list"


def _place(location: Location) -> str:
    return str(location.path.resolve()) if location.path is not None else str(location)


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []


def _sealed_here_before(location: Location, ledger_id: str | None) -> list[str]:
    """The ids of other ledgers sealed at `location`: a ledger rewritten from its first link has a new
    id, and the seals of the one it replaced are found through the place."""
    folder, here = _outside_list("-").parent, _place(location)
    return sorted(places.stem for places in folder.glob("*.places")
                  if places.stem != ledger_id and here in _lines(_trusted_as_own(places)))


def held(ledger: Ledger, made: Seal) -> str | None:
    """Why the ledger does not hold the sealed state, or None when it does (it may have grown)."""
    if made.ledger != ledger.ledger_id():
        return _("it seals ledger {sealed}, not this one ({this}): another ledger, or this one rewritten from its "
                 "first link", sealed=made.ledger, this=ledger.ledger_id())
    digest = ledger.digest_at(made.head_seq)
    if digest is None:
        state = ledger.chain_state()
        return _("this file is older than that seal: it has {links} links, the seal counts {sealed}. Expected of an "
                 "older backup; a working ledger like this was rolled back", links=state.links if state else 0,
                 sealed=made.links)
    if digest != made.head_digest or ledger.links_up_to(made.head_seq) != made.links:
        return _("its link {seq} is not the one sealed: the history up to it was rewritten", seq=made.head_seq)
    return None


def check_files(ledger: Ledger, path: Path) -> list[str]:
    """What is wrong with the seal in `path` (and its signature in `path`.sig) against the ledger."""
    signature_path = Path(f"{path}.sig")
    try:
        statement, signature = read_regular(path, _MAX_SEAL_BYTES), read_regular(signature_path, _MAX_SEAL_BYTES)
    except OSError as exc:
        raise LedgerError(_("cannot read the seal {path}: {reason}", path=exc.filename, reason=exc.strerror)) from None
    made = sealed.read_statement(statement, str(path))
    public, raw = sealed.read_armored(signature, str(signature_path))
    if not _signed(public, raw, statement):
        return [_("{path}: its signature does not match it: the seal was changed", path=path)]
    if public not in trusted_keys():
        return [_("{path}: it was signed with a key not in {signers}: not a seal of yours", path=path,
                  signers=key_folder() / "allowed_signers")]
    why = held(ledger, made)
    return [] if why is None else [_("{path}: {why}", path=path, why=why)]


def _signed(public: bytes, signature: bytes, statement: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, sealed.signed_data(statement))
    except (InvalidSignature, ValueError):
        return False
    return True


def known_seals_problems(ledger: Ledger) -> list[str]:
    """For a plain `verify`: each seal the ledger lists, or the list outside it lists, that the
    ledger no longer holds."""
    ledger_id = ledger.ledger_id()
    replaced = [_("the seals of ledger {sealed} were made at {place}, which now holds {this}: this ledger was "
                  "rewritten from its first link, or replaced by another. If a new ledger was started here on "
                  "purpose, move {list} aside", sealed=other, place=ledger.location, this=ledger_id or _("no ledger"),
                  list=_outside_list(other)) for other in _sealed_here_before(ledger.location, ledger_id)]
    if ledger_id is None:
        return replaced
    known: dict[tuple[int, str], Seal] = {}
    for issued in ledger.issued_seals():
        known[(issued.head_seq, issued.head_digest)] = Seal(ledger_id, issued.links, issued.head_seq,
                                                            issued.head_digest, local_iso(issued.sealed_at_utc) or "")
    outside, unreadable = _outside_list(ledger_id), []
    for number, line in enumerate(_lines(_trusted_as_own(outside)), start=1):
        try:
            links, seq, digest, at = line.split()
            known.setdefault((int(seq), digest), Seal(ledger_id, int(links), int(seq), digest, at))
        except ValueError:
            unreadable.append(_("line {number} of {path} is not a seal's record: {line!r}", number=number,
                                path=outside, line=line[:60]))
    return replaced + unreadable + [_("the seal of {sealed_at}: {why}", sealed_at=made.sealed_at, why=why)
                         for _key, made in sorted(known.items()) if (why := held(ledger, made)) is not None]
