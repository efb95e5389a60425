"""The links of the hash chain, made once for every engine: what each one holds comes from
`domain.chain`, and every engine writes them through its `append_links`, the chain's one writer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.domain.fields import StoredTopup
    from ledger.store.interface import Ledger


class Chaining:
    """What a `Ledger` chains, in terms of its own reads and `append_links`."""

    def record_version(self: Ledger, row: StoredTopup, action: str, reason: str | None, at_utc: str) -> None:
        """Chain a record's state as stored now, its receipts included, as its newest link."""
        from ledger.domain.chain import NewLink, content

        chained = content(row, self.kept_receipts(row["id"]), (action, reason, at_utc))
        self.append_links([NewLink(row["id"], row["version"], action, reason, at_utc, chained)])

    def chain_first_versions(self: Ledger, rows: Iterable[StoredTopup], action: str, at_utc: str) -> None:
        """Chain the first version of each record added at once (an import's), none with receipts yet."""
        from ledger.domain import chain

        scheme = chain.current_scheme()
        columns, change = chain.chained_columns(scheme), (action, None, at_utc)
        self.append_links(chain.NewLink(row["id"], row["version"], *change,
                                        chain.content(row, (), change, scheme, columns)) for row in rows)

    def chain_cards(self: Ledger, card_ids: Iterable[int], action: str, at_utc: str) -> None:
        """A link for each card as it is stored now."""
        from ledger.domain.chain import NewLink, card_content

        links = []
        for card_id in card_ids:
            version = self.card_version(card_id) + 1
            links.append(NewLink(card_id, version, action, None, at_utc,
                                 card_content(self.card(card_id), version, (action, None, at_utc))))
        self.append_links(links, of_records=False)

    def chain_found(self: Ledger, at_utc: str) -> None:
        """For a ledger upgraded to chain cards: a first link for every card as found, and one for what
        the older links never covered, so that from then on a change to any of it is caught."""
        from ledger.domain import chain

        self.chain_cards(sorted(card["id"] for card in self.cards()), "found", at_utc)
        found = chain.found_state(self.unchained_link_facts(), self.unchained_receipt_facts(None))
        if found["links"]["count"] or found["receipts"]["count"]:
            change = ("found", "what the ledger held when it was upgraded to chain cards and changes", at_utc)
            self.append_links([chain.NewLink(None, 1, *change, chain.found_content(found, change))], of_records=False)
