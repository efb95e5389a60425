"""What the ledger's own words are called where people read them: a channel, an outcome, a kind of
card or a status (`named`), and what a change to a record did (`action_named`). The names are
catalog messages, looked up in the reader's language; programs read the words themselves."""

from __future__ import annotations

from collections.abc import Iterable

from ledger.domain.chain import ACTIONS
from ledger.domain.channels import SHOWN as CHANNELS
from ledger.domain.channels import Channel
from ledger.domain.values import SHOWN as WORDS
from ledger.i18n import Text, _, joined

_WORDS = {**WORDS, **CHANNELS}  # no word is both a channel and an outcome, kind or status


def named(word: str | None) -> str | None:
    """A channel, outcome, kind of card or status as the reader calls it; any other word as it is."""
    message = _WORDS.get(word) if word is not None else None
    return _(message) if message else word


def action_named(action: str | None) -> str | None:
    """What a version of a record did (logged, amended, voided …) as the reader calls it."""
    message = ACTIONS.get(action) if action is not None else None
    return _(message) if message else action


def channels_named(channels: Iterable[str]) -> Text:
    """Channels as the reader calls them, listed the reader's way (WeChat Pay, Alipay; 微信支付、支付寶)."""
    return joined([_(CHANNELS[Channel(channel)]) for channel in channels])
