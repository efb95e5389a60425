"""Running the site: the address bound, the URL with its token printed (and drawn as a QR code for a
phone), uvicorn serving until Ctrl-C."""

from __future__ import annotations

import errno
import socket
from typing import TextIO

from ledger.errors import LedgerError
from ledger.i18n import _
from ledger.service.cards import list_cards
from ledger.service.opening import Location, transaction
from ledger.web.connections import BACKLOG, MAX_HEADER_BYTES, BoundedConnection
from ledger.web.guard import Secrets
from ledger.web.pages import make_app

LOOPBACK = "127.0.0.1"


def lan_address() -> str:
    """This machine's address on its local network: the one a packet to a private address would
    leave from (a UDP socket only chooses the route; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 9))
            address = probe.getsockname()[0]
        except OSError:
            address = ""
    if not address or address.startswith(("127.", "0.")):
        raise LedgerError(_("this machine has no local network address; connect it to the network the phone is on, "
                            "or leave out --lan"))
    return address


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, before anything is printed: a port in use is refused plainly."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
    except OSError as exc:
        listening.close()
        if exc.errno == errno.EADDRINUSE:
            raise LedgerError(_("port {port} is in use; choose another with --port, or leave it out for a free one",
                                port=port)) from None
        raise LedgerError(_("cannot listen on {host}:{port}: {reason}", host=host, port=port, reason=exc.strerror)) \
            from None
    listening.listen(BACKLOG)
    return listening


def serve(location: Location, out: TextIO, *, port: int = 0, lan: bool = False, read_only: bool = False) -> None:
    """Serve the ledger at `location` until interrupted; the URL to open goes to `out`."""
    import uvicorn

    with transaction(location) as ledger:
        list_cards(ledger)  # no ledger, a file that is not one, or one too new: refused before anything listens
    host = lan_address() if lan else LOOPBACK
    listening = bind(host, port)
    bound = listening.getsockname()[1]
    served = {f"{host}:{bound}"} | ({f"localhost:{bound}"} if not lan else set())
    keys = Secrets(cookie=f"topup_token_{bound}")
    url = f"http://{host}:{bound}/?token={keys.token}"
    out.write(url + "\n")
    if lan:
        import segno

        # Low error correction and a two-module margin: 37 columns, which a 40-column terminal shows
        # whole; the screen it is read from is clean, unlike a printed code.
        segno.make(url, error="l").terminal(out=out, compact=True, border=2)
    out.flush()
    # Ctrl-C lets requests under way finish, but waits for an upload that stalled only so long.
    config = uvicorn.Config(make_app(location, keys, served, read_only=read_only), log_level="warning",
                            access_log=False, server_header=False, lifespan="off", timeout_graceful_shutdown=5,
                            http=BoundedConnection, backlog=BACKLOG, h11_max_incomplete_event_size=MAX_HEADER_BYTES)
    uvicorn.Server(config).run(sockets=[listening])
