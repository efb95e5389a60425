"""Connections before anyone is known: whoever reaches the port can open one, so each must send its
request's headers in time, and there are only so many at once. Without both, connections that never
finish their headers hold the server's files until it can accept no other, and it never recovers.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

# A browser sends its headers in one packet; a phone on a slow network within a second or two.
HEADER_SECONDS = 10.0
# Far more than a browser or two open (six each), far fewer than the files a process may hold (often 1,024).
MAX_CONNECTIONS = 100
# Connections waiting to be accepted, and accepted at once before any is looked at: at most this many
# files beyond the bound.
BACKLOG = 16
# The headers of one request; a browser's are a few kilobytes.
MAX_HEADER_BYTES = 16 * 1024


class BoundedConnection(H11Protocol):
    """uvicorn's HTTP/1.1 connection, closed when its next request's headers are late; a connection
    over the bound takes the place of the idle one that has waited longest."""

    def connection_made(self, transport: Any) -> None:  # noqa: ANN401 - uvicorn's own signature
        self.header_timer: asyncio.TimerHandle | None = None
        self.waiting_since = 0.0
        super().connection_made(transport)
        self._expect_headers()
        if len(self.connections) > MAX_CONNECTIONS:
            waiting = [other for other in self.connections if isinstance(other, BoundedConnection)
                       and other.idle() and other is not self and not other.transport.is_closing()]
            oldest = min(waiting, key=lambda other: other.waiting_since, default=self)
            oldest.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._expect_headers()  # the next request on this connection has its own time

    def idle(self) -> bool:
        """No request is being answered: its headers have not all come, or its answer has gone (the rest
        of a body refused unread may still be coming). Nothing is lost if this connection is closed."""
        return self.cycle is None or self.cycle.response_complete

    def _expect_headers(self) -> None:
        self._stop_timer()
        self.waiting_since = self.loop.time()
        self.header_timer = self.loop.call_later(HEADER_SECONDS, self._headers_late)

    def _headers_late(self) -> None:
        self.header_timer = None
        if self.idle() and not self.transport.is_closing():
            self.transport.close()

    def _stop_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
