"""Reads of the hash chain: the links of records, cards and the ledger in their one order, the head,
the ledger's id, and the seals issued of the chain.

A ledger's id is the start of its first link's digest: the same in every copy, dump and upgrade of
it, and bound to its history (a ledger rewritten from its first link is another ledger)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from ledger.domain.chain import SCHEME_TAG, Head, Link
from ledger.store.types import ChainState, IssuedSeal, OldLink, OldReceipt

_RECORD_LINK = ("SELECT seq, 'record', topup_id, version, action, reason, recorded_at_utc, content, prev_digest, "
                "digest FROM topup_version")
_OTHER_LINK = ("SELECT seq, CASE WHEN card_id IS NULL THEN 'ledger' ELSE 'card' END, card_id, version, action, "
               "reason, recorded_at_utc, content, prev_digest, digest FROM ledger_link")


class ChainReads:
    """Reads of the chain and the seals, of a `SqliteLedger`."""

    conn: sqlite3.Connection

    def versions(self, topup_id: int) -> list[Link]:
        return [Link(*row) for row in self.conn.execute(f"{_RECORD_LINK} WHERE topup_id = ? ORDER BY version",
                                                         (topup_id,))]

    def links(self) -> Iterator[Link]:
        # The few links of cards and of the ledger are slotted in among the records' as they stream:
        # sorting the union would copy every link's content first.
        others = [Link(*row) for row in self.conn.execute(f"{_OTHER_LINK} ORDER BY seq")]
        waiting = 0
        for row in self.conn.execute(f"{_RECORD_LINK} ORDER BY seq"):
            link = Link(*row)
            while waiting < len(others) and others[waiting].seq < link.seq:
                yield others[waiting]
                waiting += 1
            yield link
        yield from others[waiting:]

    def head(self) -> Head | None:
        row = self.conn.execute("SELECT seq, digest FROM chain_head").fetchone()
        return None if row is None else Head(*row)

    def newest_links(self) -> dict[int, Link]:
        return {row[2]: Link(*row) for row in self.conn.execute(
            f"{_RECORD_LINK} AS v WHERE version = "
            "(SELECT max(version) FROM topup_version WHERE topup_id = v.topup_id)")}

    def newest_card_contents(self) -> dict[int, str]:
        return dict(self.conn.execute("SELECT card_id, content FROM ledger_link AS l WHERE card_id IS NOT NULL "
                                      "AND version = (SELECT max(version) FROM ledger_link WHERE card_id = l.card_id)"))

    def found_at_upgrade(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT content FROM ledger_link WHERE card_id IS NULL "
                                                    "AND action = 'found' ORDER BY seq")]

    def unchained_link_facts(self) -> Iterator[OldLink]:
        yield from map(OldLink._make, self.conn.execute(
            "SELECT seq, topup_id, version, action, reason, recorded_at_utc FROM topup_version "
            "WHERE substr(content, 1, length(?1)) != ?1 ORDER BY seq", (SCHEME_TAG,)))

    def unchained_receipt_facts(self, last: int | None) -> Iterator[OldReceipt]:
        yield from map(OldReceipt._make, self.conn.execute(
            "SELECT id, topup_id, sha256, name, media_type, size, added_at_utc FROM receipt "
            "WHERE ?1 IS NULL OR id <= ?1 ORDER BY id", (last,)))

    # ------------------------------------------------------------ the ledger's id and seals

    def ledger_id(self) -> str | None:
        row = self.conn.execute("SELECT substr(digest, 1, 32) FROM (SELECT seq, digest FROM topup_version UNION ALL "
                                "SELECT seq, digest FROM ledger_link) ORDER BY seq LIMIT 1").fetchone()
        return None if row is None else row[0]

    def chain_state(self) -> ChainState | None:
        head = self.head()
        return None if head is None else ChainState(self.links_up_to(head.seq), head.seq, head.digest)

    def digest_at(self, seq: int) -> str | None:
        row = self.conn.execute("SELECT digest FROM topup_version WHERE seq = ? UNION ALL "
                                "SELECT digest FROM ledger_link WHERE seq = ?", (seq, seq)).fetchone()
        return None if row is None else row[0]

    def links_up_to(self, seq: int) -> int:
        return self.conn.execute("SELECT (SELECT count(*) FROM topup_version WHERE seq <= ?) + "
                                 "(SELECT count(*) FROM ledger_link WHERE seq <= ?)", (seq, seq)).fetchone()[0]

    def issued_seals(self) -> list[IssuedSeal]:
        return [IssuedSeal(*row) for row in self.conn.execute(
            "SELECT links, head_seq, head_digest, sealed_at_utc FROM seal ORDER BY id")]
