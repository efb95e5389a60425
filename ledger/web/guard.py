"""What stands between the network and the ledger: the address's token, the Host header, the origin
of a change, CSRF, and the headers that keep a page from being framed, sniffed or made to run anything.

The token comes once in the URL `topup serve` prints; it is then kept in a cookie (HttpOnly,
SameSite=Lax) and the URL without it replaces the one in the address bar, so it does not stay in
the browser's history or go out in a Referer.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ledger.i18n import _

if TYPE_CHECKING:
    from starlette.requests import Request

# Pages load only their own stylesheet and pictures, and run nothing.
PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; object-src 'self'; frame-src 'self'; "
               "form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # never to another site; a form names its origin to us
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}

# Requests that only read. Any other must come from a page of this server: browsers send the cookie
# to every port of 127.0.0.1, so another service there could otherwise send one.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class Secrets:
    """The random values of one run of `topup serve`: a new run, new values."""

    # Cookies are told apart by name, not port: two servers on one machine each keep their own.
    cookie: str = "topup_token"
    # 192 random bits: beyond guessing, and short enough that the URL's QR code fits a phone's
    # 40-column terminal.
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def csrf_ok(self, given: object) -> bool:
        return isinstance(given, str) and secrets.compare_digest(given.encode(), self.csrf.encode())

    def token_ok(self, given: str | None) -> bool:
        return given is not None and secrets.compare_digest(given.encode(), self.token.encode())


class Guard:
    """ASGI middleware: refuses a request whose Host is not an address served (DNS rebinding) or that
    carries no token, and adds the common headers to every response."""

    def __init__(self, app: App, keys: Secrets, hosts: set[str]) -> None:
        self.app, self.keys, self.hosts = app, keys, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import ClientDisconnect, Request
        from starlette.responses import PlainTextResponse, RedirectResponse

        request = Request(scope)
        send = _Answering(send)
        if request.headers.get("host", "").lower() not in self.hosts:
            await _refusal(_("this address is not the one topup serve is serving"), 421)(scope, receive, send)
            return
        given = request.query_params.get("token")
        if given is not None:
            if not self.keys.token_ok(given):
                await _no_token()(scope, receive, send)
                return
            answer = RedirectResponse(address_without(request, "token"), status_code=303)
            # Lax, not Strict: the address opened from a link in a chat or a mail must work. Another
            # site's form still cannot post with it, and every form carries the CSRF token too.
            answer.set_cookie(self.keys.cookie, self.keys.token, httponly=True, samesite="lax", path="/")
            await answer(scope, receive, send)
            return
        if not self.keys.token_ok(request.cookies.get(self.keys.cookie)):
            await _no_token()(scope, receive, send)
            return
        if request.method not in SAFE_METHODS and not _from_this_site(request):
            await _refusal(_("a change is taken only from the pages of this address; open the address `topup serve` "
                             "printed and make it there"), 403)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        except asyncio.CancelledError:
            return  # the server is stopping, and this request (an upload that stalled) did not end in time
        except ClientDisconnect:
            return  # the browser left during an upload: a form is read whole before anything is saved
        except Exception as exc:
            if os.environ.get("TOPUP_DEBUG") == "1":
                raise
            # A bug is said in one line, as the command line says it, not as a traceback; and the browser
            # is answered (the site's own page of it), unless an answer is already on its way.
            sys.stderr.write(f"error: {unexpected(exc, request.url.path)}\n")
            if not send.started:
                await PlainTextResponse(f"error: {unexpected(exc, request.url.path)}\n",
                                        status_code=500)(scope, receive, send)


def address_without(request: Request, key: str) -> str:
    """The address asked for without its query parameter `key`, to send the browser to instead."""
    rest = [(name, value) for name, value in request.query_params.multi_items() if name != key]
    # One leading slash: `//host/` would send the browser to another site.
    return "/" + request.url.path.lstrip("/") + (f"?{urlencode(rest)}" if rest else "")


def _from_this_site(request: Request) -> bool:
    """The browser names the page a request comes from (its origin; else the page's address, or at
    least whether it is the same origin): it must be this server. A request naming none is refused."""
    here = f"{request.url.scheme}://{request.headers.get('host', '')}"
    if (origin := request.headers.get("origin")) is not None:
        return origin == here
    if (page := request.headers.get("referer")) is not None:
        return page == here or page.startswith(here + "/")
    return request.headers.get("sec-fetch-site") == "same-origin"


def unexpected(exc: Exception, path: str) -> str:
    """What a bug is called, in a line, wherever it is said."""
    return _("unexpected {error} on {path}; nothing was saved. Run again with TOPUP_DEBUG=1 to see the details and "
             "report them", error=type(exc).__name__, path=path)


def _no_token() -> App:
    return _refusal(_("open the address `topup serve` printed, with its token"), 403)


def _refusal(message: str, status: int) -> App:
    """A request refused before any page: `refused: ` (which never changes, as `error: ` does not) and
    why, in plain text."""
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(f"refused: {message}\n", status_code=status)


class _Answering:
    """`send` adding the common headers, and the page policy unless the response set its own; it
    knows whether an answer has begun."""

    def __init__(self, send: Send) -> None:
        self.send, self.started = send, False

    async def __call__(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = list(message.get("headers", []))
            present = {name.lower() for name, _ in headers}
            added = {**COMMON_HEADERS, "content-security-policy": PAGE_POLICY}
            headers += [(name.encode(), value.encode()) for name, value in added.items()
                        if name.encode() not in present]
            message["headers"] = headers
        await self.send(message)
