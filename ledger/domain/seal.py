"""A seal: a signed statement of which state of the hash chain a ledger held, and when.

The statement names the ledger (an id made with it), how many links its chain had, the newest
link's place and digest, and the time: nothing personal. It is signed with an Ed25519 key kept
outside the ledger, in OpenSSH's SSHSIG format, so that `ssh-keygen -Y verify` checks it too:

    ssh-keygen -Y verify -f allowed_signers -I topup-ledger -n topup-seal -s seal.txt.sig < seal.txt

A ledger holds a sealed state when its link at the sealed place has the sealed digest: a ledger
that only grew since still does; one rolled back below it, or rewritten there, does not.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass

from ledger.errors import InvalidInput
from ledger.i18n import _

NAMESPACE = "topup-seal"  # what the signature is for: a signature made for another purpose never passes
IDENTITY = "topup-ledger"  # the signer's name in an allowed_signers file
_FIRST_LINE = "topup-ledger seal 1"
_MAGIC = b"SSHSIG"
_HASH = "sha512"
_KEY_TYPE = b"ssh-ed25519"
_ARMOR = ("-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----")


@dataclass(frozen=True)
class Seal:
    """The sealed state of a ledger's chain."""

    ledger: str  # the ledger's id
    links: int  # how many links the chain had
    head_seq: int  # the newest link's place in the chain
    head_digest: str
    sealed_at: str  # local time with its offset

    def statement(self) -> bytes:
        """The text that is signed, and written as the seal."""
        return (f"{_FIRST_LINE}\nledger: {self.ledger}\nlinks: {self.links}\nhead: {self.head_seq} {self.head_digest}\n"
                f"sealed_at: {self.sealed_at}\n").encode()


_STATEMENT = re.compile(rf"{re.escape(_FIRST_LINE)}\nledger: ([0-9a-f]{{32}})\nlinks: (\d+)\n"
                        r"head: (\d+) ([0-9a-f]{64})\nsealed_at: (\S+)\n")


def read_statement(data: bytes, name: str) -> Seal:
    """The seal a statement states; refused when it is not one this program wrote."""
    match = _STATEMENT.fullmatch(data.decode(errors="replace"))
    if not match:
        raise InvalidInput(_("{name} is not a topup-ledger seal", name=name))
    return Seal(match[1], int(match[2]), int(match[3]), match[4], match[5])


def _string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def public_blob(public_key: bytes) -> bytes:
    """An Ed25519 public key as SSH writes it inside signatures and in `ssh-ed25519 AAAA…` lines."""
    return _string(_KEY_TYPE) + _string(public_key)


def public_key_of(blob: bytes) -> bytes:
    """The raw Ed25519 key in an SSH public key blob (`public_blob`); ValueError for any other."""
    key_type, key = _strings(blob)
    if key_type != _KEY_TYPE:
        raise ValueError(key_type)
    return key


def signed_data(message: bytes) -> bytes:
    """What an SSHSIG signature signs for `message` (OpenSSH's PROTOCOL.sshsig)."""
    digest = hashlib.new(_HASH, message).digest()
    return _MAGIC + _string(NAMESPACE.encode()) + _string(b"") + _string(_HASH.encode()) + _string(digest)


def armored(public_key: bytes, signature: bytes) -> bytes:
    """The SSHSIG signature file for an Ed25519 signature over `signed_data`."""
    blob = (_MAGIC + struct.pack(">I", 1) + _string(public_blob(public_key)) + _string(NAMESPACE.encode())
            + _string(b"") + _string(_HASH.encode()) + _string(_string(_KEY_TYPE) + _string(signature)))
    text = base64.b64encode(blob).decode()
    lines = [text[i:i + 70] for i in range(0, len(text), 70)]
    return "\n".join([_ARMOR[0], *lines, _ARMOR[1]]).encode() + b"\n"


def read_armored(data: bytes, name: str) -> tuple[bytes, bytes]:
    """(public key, signature) of an SSHSIG file this program could have written."""
    text = data.decode(errors="replace").strip()
    try:
        if not (text.startswith(_ARMOR[0]) and text.endswith(_ARMOR[1])):
            raise ValueError
        blob = base64.b64decode("".join(text[len(_ARMOR[0]):-len(_ARMOR[1])].split()), validate=True)
        if blob[:6] != _MAGIC or blob[6:10] != struct.pack(">I", 1):
            raise ValueError
        key_blob, namespace, _reserved, hash_name, signature_blob = _strings(blob[10:])
        key_type, public_key = _strings(key_blob)
        signature_type, signature = _strings(signature_blob)
        if (namespace, hash_name) != (NAMESPACE.encode(), _HASH.encode()) or {key_type, signature_type} != {_KEY_TYPE}:
            raise ValueError
        return public_key, signature
    except (ValueError, struct.error):
        raise InvalidInput(_("{name} is not an SSH signature of a topup-ledger seal", name=name)) from None


def _strings(blob: bytes) -> list[bytes]:
    """The SSH strings (a length, then the bytes) one after another in `blob`."""
    fields, at = [], 0
    while at < len(blob):
        (size,) = struct.unpack(">I", blob[at:at + 4])
        if at + 4 + size > len(blob):
            raise ValueError
        fields.append(blob[at + 4:at + 4 + size])
        at += 4 + size
    return fields


def public_key_line(allowed_signers: str) -> str:
    """The key of an allowed_signers line as an OpenSSH public key file holds it."""
    return f"ssh-ed25519 {allowed_signers.split()[-1]} {IDENTITY}"


def fingerprint(allowed_signers: str) -> str:
    """The key's fingerprint as `ssh-keygen -l` prints it (SHA256:…), from its allowed_signers line:
    what a receiver compares with the fingerprint the sender gave another way."""
    blob = base64.b64decode(allowed_signers.split()[-1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def allowed_signers_line(public_key: bytes) -> str:
    """The line of an OpenSSH allowed_signers file that trusts this key for seals."""
    return f'{IDENTITY} namespaces="{NAMESPACE}" ssh-ed25519 {base64.b64encode(public_blob(public_key)).decode()}'
