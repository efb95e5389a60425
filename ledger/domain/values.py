"""Small value types and pure parsers for what users type: text, outcomes, card numbers.

Everything here is stdlib (plus phonenumbers, imported only when a SIM number is checked),
so the CLI can use these enums in its signatures without loading the database layer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache

from ledger.errors import InvalidInput
from ledger.i18n import N_, Text, _


class CardKind(StrEnum):
    sim = "sim"
    smart = "smart"


class Outcome(StrEnum):
    credited = "credited"
    pending = "pending"
    failed = "failed"
    refunded = "refunded"


class Status(StrEnum):
    active = "active"
    void = "void"
    amended = "amended"


# What each of these words is called where people read it (looked up in the catalog when shown).
SHOWN: dict[str, str] = {
    CardKind.sim: N_("prepaid SIM"), CardKind.smart: N_("smart card"),
    Outcome.credited: N_("credited"), Outcome.pending: N_("pending"), Outcome.failed: N_("failed"),
    Outcome.refunded: N_("refunded"),
    Status.active: N_("active"), Status.void: N_("void"), Status.amended: N_("amended"),
}


# Invisible characters that ride along when text is pasted from a chat or an SMS.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Characters that make text display in an order other than the one stored.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Turn full-width ASCII forms (１００, ＨＫ＄) and the ideographic space into plain ASCII."""
    return text.translate(_FULL_WIDTH)


def clean_token(text: str) -> str:
    """A short typed value (amount, date, reference): NFC, width-folded, no invisibles, trimmed."""
    if text.isascii():  # nothing to normalise, fold or drop (imports clean millions of these)
        return text.strip()
    return fold_width(unicodedata.normalize("NFC", text)).translate(INVISIBLE).strip()


# Control characters (a terminal obeys an escape sequence rather than showing it) and the
# text-direction controls above; then the same but newline and tab, which free text may hold.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_CONTROLS)) + "]")
_HIDDEN = re.compile("(?![\n\t])" + CONTROLS.pattern)


def shown_safely(text: str, *, lines: bool = False) -> str:
    """Text with its control characters written as escapes (\\u001b, \\u202e), to show or keep in a
    history: shown, it can neither drive a terminal nor reorder what is read. `lines` keeps line
    breaks and tabs."""
    return (_HIDDEN if lines else CONTROLS).sub(lambda found: f"\\u{ord(found[0]):04x}", text)


# Bytes that were not text in the encoding they were read in: Python keeps each as a lone surrogate
# (U+DC00 + the byte), which no text can be stored with.
_UNDECODABLE = re.compile("[\ud800-\udfff]")


def decoded_text(text: str, source: str) -> str:
    """`text` as it was read from `source` (the command line, standard input), refused when it holds
    bytes that were not text in the encoding it was read in."""
    if found := _UNDECODABLE.search(text):
        near = text[max(found.start() - 10, 0):found.end() + 10]
        raise InvalidInput(_("{source} holds bytes that are not text in this terminal's encoding (near \"{shown}\"); "
                             "give it again as text", source=source,
                             shown=_UNDECODABLE.sub(lambda byte: f"\\x{ord(byte[0]) & 0xFF:02x}", near)))
    return text


def clean_text(text: str, field: str, max_length: int, *, multiline: bool = True) -> str:
    """Free text kept as typed (NFC, outer spaces trimmed) after refusing what could hide content.

    Refusals name the text as `field`, looked up in the catalog only when one is made (a word marked
    with N_, such as "reference"; a name the catalog does not hold stays as it is)."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").strip()
    hidden = _HIDDEN.search(text) or (None if multiline else re.search("[\n\t]", text))
    if hidden:
        ch = hidden[0]
        if ch in BIDI_CONTROLS:
            raise InvalidInput(_(
                "{field} contains a text-direction control (U+{code:04X}) that would make it "
                "display differently from what is stored; remove it", field=_named(field), code=ord(ch)))
        raise InvalidInput(_("{field} contains a control character (U+{code:04X}); remove it", field=_named(field),
                             code=ord(ch)))
    if len(text) > max_length:
        raise InvalidInput(_("{field} is {length} characters long; the limit is {limit}", field=_named(field),
                             length=len(text), limit=max_length))
    return text


def _named(field: str) -> Text:
    """What a refusal calls a value: `field` in the reader's language (one already a Text as it is)."""
    return field if isinstance(field, Text) else _(field)


def optional_text(text: str | None, field: str, max_length: int, *, multiline: bool = True) -> str | None:
    """`clean_text` for an optional value; empty text means unknown."""
    if text is None:
        return None
    return clean_text(text, field, max_length, multiline=multiline) or None


_SHELL_SAFE = re.compile(r"[\w@%+=:,./-]+")  # \w takes in CJK: a Chinese label needs no quotes


def shell_word(text: str) -> str:
    """A value as one word of a command a person can paste into a shell, quoted only when it must be."""
    return text if _SHELL_SAFE.fullmatch(text) else "'" + text.replace("'", "'\"'\"'") + "'"


def kept_text(field: str, max_length: int, *, multiline: bool = True) -> Callable[[str | None], str | None]:
    """How a record field of free text is kept (`optional_text`): refusals name it as `field` (see `clean_text`)."""
    return lambda text: optional_text(text, field, max_length, multiline=multiline)


def clean_ref(text: str | None) -> str | None:
    """A receipt reference: width-folded and without invisibles, so a pasted one matches a typed one."""
    if text is None:
        return None
    ref = clean_text(clean_token(text), N_("reference"), 100, multiline=False)
    return ref or None


def clean_label(text: str) -> str:
    """A card label: short, one line, not empty."""
    label = clean_text(text.translate(INVISIBLE), N_("card label"), 60, multiline=False)
    if not label:
        raise InvalidInput(_("a card label cannot be empty"))
    return label


@lru_cache(maxsize=1024)  # pure; an import reads the same few values again and again
def label_key(label: str) -> str:
    """The form labels are compared in: case, width, how an accent was typed (é, or e and a
    combining accent), and what a paste brings along (a zero-width space, a space at either end) do
    not make two cards different."""
    # NFC before folding only: keys stored by earlier versions were made the same way from NFC labels,
    # which `clean_label` had already rid of invisibles and end spaces.
    return fold_width(unicodedata.normalize("NFC", label)).translate(INVISIBLE).strip().casefold()


@lru_cache(maxsize=1024)  # pure; an import reads the same few values again and again
def parse_outcome(text: str, allowed: tuple[Outcome, ...] = tuple(Outcome)) -> Outcome:
    """One of the outcomes allowed at this point."""
    value = clean_token(text).casefold()
    for outcome in allowed:
        if outcome.value == value:
            return outcome
    raise InvalidInput(_("unknown outcome {text!r}; use one of {allowed}", text=text,
                         allowed=", ".join(o.value for o in allowed)))


_NUMBER_SEPARATORS = re.compile(r"[\s\-()\[\]{}（）【】./]+")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def parse_card_number(kind: CardKind, text: str, region: str | None) -> str:
    """Check a card number and return the form it is stored in (E.164, ICCID digits or A-Z0-9).

    Refusals name the number by its last four characters only: messages end up in logs."""
    raw = clean_token(text)
    compact = _NUMBER_SEPARATORS.sub("", raw)
    last = compact[-4:] if len(compact) > 4 else None  # a refusal names the number "ending 1234", else as typed
    if kind is CardKind.smart:
        if not re.fullmatch(r"[A-Za-z0-9]{4,24}", compact):
            raise InvalidInput(
                _("smart card number ending {last} must be 4 to 24 letters or digits "
                  "(spaces, dashes and brackets are ignored)", last=last) if last else
                _("smart card number {number!r} must be 4 to 24 letters or digits "
                  "(spaces, dashes and brackets are ignored)", number=raw))
        return compact.upper()
    if re.fullmatch(r"89[0-9]{16,20}", compact):
        if not _luhn_ok(compact):
            raise InvalidInput(
                _("ICCID ending {last} fails its check digit; copy it again from the SIM card", last=last) if last else
                _("ICCID {number!r} fails its check digit; copy it again from the SIM card", number=raw))
        return compact
    return _parse_phone(raw, region, last)


def _parse_phone(raw: str, region: str | None, last: str | None) -> str:
    import phonenumbers

    if region is None and not raw.startswith("+"):
        raise InvalidInput(
            _("cannot check phone number ending {last} without a region; add --region (e.g. --region HK) "
              "or write the number with its country code (+852…)", last=last) if last else
            _("cannot check phone number {number!r} without a region; add --region (e.g. --region HK) "
              "or write the number with its country code (+852…)", number=raw))
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(_("number ending {last} is not a phone number", last=last) if last else
                           _("number {number!r} is not a phone number", number=raw)) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(_not_valid(raw, region, last))
    # A SIM answers on a mobile number; a landline, pager or service number is a typing slip. Where
    # the plan does not tell them apart (the US and Canada), either may be a mobile one.
    mobile = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if phonenumbers.number_type(parsed) not in mobile:
        where = phonenumbers.region_code_for_number(parsed)
        raise InvalidInput(
            _("number ending {last} is not a mobile number in {region}; a SIM's number is the one it answers on",
              last=last, region=where) if last else
            _("number {number!r} is not a mobile number in {region}; a SIM's number is the one it answers on",
              number=raw, region=where))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _not_valid(raw: str, region: str | None, last: str | None) -> Text:
    """Why a phone number is refused as not valid: for the region given, or for its country code."""
    if region and last:
        return _("number ending {last} is not a valid phone number for region {region}; check the digits",
                 last=last, region=region)
    if region:
        return _("number {number!r} is not a valid phone number for region {region}; check the digits",
                 number=raw, region=region)
    if last:
        return _("number ending {last} is not a valid phone number for its country code; check the digits", last=last)
    return _("number {number!r} is not a valid phone number for its country code; check the digits", number=raw)


def parse_region(text: str) -> str:
    """A two-letter ISO 3166 region code such as HK, CN, TW."""
    region = clean_token(text).upper()
    if not re.fullmatch(r"[A-Z]{2}", region):
        raise InvalidInput(_("region {text!r} must be a two-letter country code such as HK, CN or TW", text=text))
    return region


def mask_number(number: str | None) -> str | None:
    """Hide all but the last four characters; the length is hidden too."""
    if number is None:
        return None
    return "****" + number[-4:]
