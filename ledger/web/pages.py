"""The pages of `topup serve`: records, one record with its receipts, cards, the log form, verify.

Each page is one service call in one transaction, as each command is. A refusal from the core is
turned into a page in one place (`Site.refused`, the app's handler of `LedgerError`): the page
it was refused on again, with the same `error:` text the command line prints and the values kept,
and nothing changed. An option such a text names is named as the form names it (`views.option_name`):
the browser never tells a person to add `--force`.
"""

from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from typing import Any
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ledger.domain.fields import SETTABLE
from ledger.domain.named import action_named, named
from ledger.domain.receipts import MAX_RECEIPT_BYTES, base_name, how_shown
from ledger.domain.times import now_utc
from ledger.errors import InvalidInput, LedgerError, NotFound
from ledger.i18n import (
    N_,
    OWN_NAMES,
    _,
    capitalized,
    language,
    language_accepted,
    naming_options,
    parse_language,
    speaking,
)
from ledger.service import cards as card_service
from ledger.service import finding, receipts, topups, verifying
from ledger.service.finding import Filters
from ledger.service.opening import Location, transaction
from ledger.web import views
from ledger.web.guard import Guard, Secrets, address_without, unexpected

FILTER_KEYS = ("q", "card", "channel", "since", "until", "min", "max", "ref", "outcome")
LOG_FIELDS = ("card", *(spec.key for spec in SETTABLE), "sms")
# A receipt shown in the page, not as a page of its own: it may not run, load or frame anything.
RECEIPT_POLICY = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
MAX_FILES = 20
# The language a reader chose with the switch on every page, remembered by their browser.
LANGUAGE_COOKIE = "topup_lang"
LANGUAGE_KEPT_SECONDS = 400 * 86400  # as long as a browser keeps a cookie
# The form's whole body, refused before it is read: its files are kept in memory and on disk while
# they arrive.
MAX_FORM_BYTES = 4 * MAX_RECEIPT_BYTES
# What the pages of records just logged have yet to say: a record logged but never opened leaves
# its words here, so only the newest are kept.
DONE_KEPT = 100
# What the form's reader (Starlette) says of a form it will not read, in words of the catalog; any
# other of its refusals is said as it is.
_FORM_REFUSALS = (
    (re.compile(r"Too many files\. Maximum number of files is (?P<count>\d+)"),
     N_("Too many files. Maximum number of files is {count}")),
    (re.compile(r"Too many fields\. Maximum number of fields is (?P<count>\d+)"),
     N_("Too many fields. Maximum number of fields is {count}")),
    (re.compile(r"Part exceeded maximum size of (?P<size>\d+)KB"), N_("Part exceeded maximum size of {size}KB")),
    (re.compile(r"Field exceeded maximum size of (?P<size>\d+)KB"), N_("Field exceeded maximum size of {size}KB")),
)


class Site:
    """One ledger served: its location, this run's secrets, and whether the log form is offered."""

    def __init__(self, location: Location, keys: Secrets, *, read_only: bool) -> None:
        import jinja2

        self.location, self.keys, self.read_only = location, keys, read_only
        self.done: OrderedDict[str, list[str]] = OrderedDict()  # what a logged record's page opens with
        self.templates = jinja2.Environment(loader=jinja2.PackageLoader("ledger.web", "templates"),
                                            autoescape=True, trim_blocks=True, lstrip_blocks=True)
        self.templates.globals.update(_=in_page, shown_value=views.shown_value, filter_labels=views.FILTER_LABELS,
                                      languages=list(OWN_NAMES.items()))
        self.templates.filters.update(named=named, action_named=action_named, capitalized=capitalized)

    def page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = self.templates.get_template(name).render(lang=language(), read_only=self.read_only,
                                                        csrf=self.keys.csrf, **values)
        return HTMLResponse(html, status_code=status)

    async def refused(self, request: Request, error: Exception) -> Response:
        """A refusal as a page: the log form or the records page with the error and what was typed,
        else a page of its own (404 for what does not exist)."""
        assert isinstance(error, LedgerError)
        try:  # what was typed was refused (400), even a card that does not exist
            if (given := getattr(request.state, "form", None)) is not None:
                return await run_in_threadpool(self._form, given, error.message, 400)
            if (filters := getattr(request.state, "filters", None)) is not None:
                return self.page("records.html", 400, error=error.message, records=[], charts=[], cards=[],
                                 channels=views.CHANNELS, **filters)
        except LedgerError as failure:  # the page it was refused on cannot be read either (the ledger is gone)
            error = failure
        return self.page("refused.html", 404 if isinstance(error, NotFound) else 400, error=error.message)

    async def failed(self, request: Request, error: Exception) -> Response:
        """A bug, answered with a page that says so; the guard says it on the server's terminal too."""
        return self.page("refused.html", 500, error=unexpected(error, request.url.path))

    # ---------------------------------------------------------------- pages

    def records(self, request: Request) -> HTMLResponse:
        given = {key: request.query_params.get(key, "") for key in FILTER_KEYS}
        with_void = request.query_params.get("with_void") == "on"
        request.state.filters = {"given": given, "with_void": with_void}
        typed = {key: value or None for key, value in given.items()}  # a field left empty is a filter not given
        shown = _count(request.query_params.get("shown"))
        filters = Filters(text=typed["q"], card=typed["card"], channel=typed["channel"], since=typed["since"],
                          until=typed["until"], min_amount=typed["min"], max_amount=typed["max"], ref=typed["ref"],
                          outcome=typed["outcome"], with_void=with_void, limit=shown + 1)
        since_chart, months = views.chart_months(filters.since, filters.until, now_utc().astimezone().date())
        with transaction(self.location) as ledger:
            browsed = finding.browse(ledger, filters, since_chart)
        records, more = browsed.records, None
        if len(records) > shown:
            records = records[:shown]
            kept = {key: value for key, value in given.items() if value} | ({"with_void": "on"} if with_void else {})
            more = "?" + urlencode({**kept, "shown": shown + views.RECORDS_SHOWN})
        return self.page("records.html", records=records, more=more, charts_since=since_chart, cards=browsed.cards,
                         charts=views.charts(browsed.totals, *months), channels=views.CHANNELS, given=given,
                         with_void=with_void)

    def record(self, request: Request) -> HTMLResponse:
        topup_id = request.path_params["topup_id"]
        with transaction(self.location) as ledger:
            shown = receipts.with_receipts(ledger, topup_id)
        done = self.done.pop(request.query_params.get("done", ""), None)
        return self.page("record.html", record=shown.record, fields=views.RECORD_FIELDS,
                         receipts=views.receipts(topup_id, shown.files), damage=shown.damage,
                         versions=views.versions(shown.record["history"]), done=done)

    def receipt(self, request: Request) -> Response:
        topup_id, index = request.path_params["topup_id"], request.path_params["index"]
        with transaction(self.location) as ledger:
            files = receipts.stored_receipts(ledger, topup_id)
        if not 1 <= index <= len(files):
            raise NotFound(_("record {id} has no receipt {index}", id=topup_id, index=index))
        receipt = files[index - 1]
        kind = how_shown(receipt).kind
        media_type = receipt.media_type + ("; charset=utf-8" if kind == "text" else "")
        # Only a picture, a PDF or a pasted message opens in the browser; anything else is a download.
        disposition = "inline" if kind != "file" else "attachment"
        headers = {"content-disposition": f"{disposition}; filename*=UTF-8''{quote(receipt.name, safe='')}",
                   "content-security-policy": RECEIPT_POLICY + ("" if kind == "pdf" else "; sandbox")}
        return Response(receipt.data, media_type=media_type, headers=headers)

    def cards(self, request: Request) -> HTMLResponse:
        with transaction(self.location) as ledger:
            ahead = finding.cards_ahead(ledger)
        return self.page("cards.html", cards=views.cards(ahead.cards, ahead.ends), due_within=views.DUE_WITHIN)

    def verify(self, request: Request) -> HTMLResponse:
        with transaction(self.location) as ledger:
            result = verifying.verify(ledger)
        return self.page("verify.html", records=result.records,
                         problems=[verifying.describe(problem) for problem in result.problems])

    def log_form(self, request: Request) -> HTMLResponse:
        return self._form({})

    async def log(self, request: Request) -> Response:
        request.state.form = {}
        size = request.headers.get("content-length", "")
        if not size.isdigit() or int(size) > MAX_FORM_BYTES:  # refused before a byte of it is read
            return await run_in_threadpool(
                self._form, {}, _("the form with its files must be under {size} MB; log the top-up with fewer files, "
                                  "then `topup receipt add ID FILE` adds the others", size=MAX_FORM_BYTES // 2**20),
                413)
        try:
            async with request.form(max_files=MAX_FILES, max_fields=40) as form:
                return await self._log_from(request, form)
        except HTTPException as refused:  # too many files, a field too long, a body that is not a form
            raise InvalidInput(_form_refusal(str(refused.detail).rstrip("."))) from None

    def _not_from_here(self) -> HTMLResponse:
        return self.page("refused.html", 403, error=_("this form did not come from this page; open it again"))

    async def _log_from(self, request: Request, form: FormData) -> Response:
        if not self.keys.csrf_ok(form.get("csrf")):
            return self._not_from_here()
        # A browser sends a text area's line breaks as CRLF; typed in a terminal they are LF.
        given = request.state.form = {key: str(form.get(key) or "").replace("\r\n", "\n") for key in LOG_FIELDS}
        uploads = [item for item in form.getlist("receipt") if isinstance(item, UploadFile) and item.filename]
        files = [receipts.received_receipt(base_name(item.filename), await item.read(MAX_RECEIPT_BYTES + 1),
                                           repr(base_name(item.filename))) for item in uploads]
        # A field left empty is an option not given; anything typed goes to the core as typed.
        typed = {key: value if value != "" else None for key, value in given.items() if key not in ("card", "sms")}
        log = topups.LogRequest(card=given["card"], values=typed, files=files, sms=given["sms"] or None,
                                force=form.get("force") == "on")
        logged = await run_in_threadpool(self._write_log, log)
        key = secrets.token_urlsafe(8)
        self.done[key] = logged.said()
        while len(self.done) > DONE_KEPT:
            self.done.popitem(last=False)
        return RedirectResponse(f"/records/{logged.record['id']}?done={key}", status_code=303)

    def _write_log(self, request: topups.LogRequest) -> topups.Logged:
        with transaction(self.location, write=True) as ledger:
            return topups.log_topup(ledger, request)

    def _form(self, given: dict[str, str], error: str | None = None, status: int = 200) -> HTMLResponse:
        with transaction(self.location) as ledger:
            in_use = [card for card in card_service.list_cards(ledger) if not card["retired"]]
        up_front, more = views.log_form()
        return self.page("log.html", status, cards=in_use, given=given, error=error, up_front=up_front, more=more,
                         given_keys=[key for key, value in given.items() if value])


def in_page(message: str, /, **values: object) -> str:
    """`_` in a template. A message written with elements in it (`<code>`) is HTML, as Jinja's own
    gettext makes it: its text is the catalog's, its values are escaped; any other is text, escaped
    where it is put."""
    from markupsafe import Markup

    if "<" not in message:
        return _(message, **values)
    return Markup(_(message)).format(**values)


def _form_refusal(said: str) -> str:
    """What the form's reader said of a form it would not read, in the reader's language when it is
    one of the refusals the catalog knows."""
    for pattern, message in _FORM_REFUSALS:
        if found := pattern.fullmatch(said):
            return _(message, **found.groupdict())
    return said


def _count(text: str | None) -> int:
    """How many records a page shows: a page's worth, or more as asked, in pages."""
    if text and text.isascii() and text.isdigit():
        return min(max(int(text), views.RECORDS_SHOWN), 100 * views.RECORDS_SHOWN)
    return views.RECORDS_SHOWN


def make_app(location: Location, keys: Secrets, hosts: set[str], *, read_only: bool = False) -> _AsTheReaderReads:
    """The whole site for the ledger at `location`, behind its guard."""
    site = Site(location, keys, read_only=read_only)
    routes = [
        Route("/", site.records),
        Route("/records/{topup_id:int}", site.record),
        Route("/records/{topup_id:int}/receipts/{index:int}", site.receipt),
        Route("/cards", site.cards),
        Route("/verify", site.verify),
        Mount("/static", StaticFiles(packages=[("ledger.web", "static")]), name="static"),
    ]
    if not read_only:
        routes += [Route("/log", site.log_form, methods=["GET"]), Route("/log", site.log, methods=["POST"])]
    handlers = {LedgerError: site.refused, Exception: site.failed}
    return _AsTheReaderReads(Guard(Starlette(routes=routes, exception_handlers=handlers), keys, hosts), language())


class _AsTheReaderReads:
    """ASGI middleware: a request is answered in the reader's language (the one chosen with the
    switch, else the first their browser accepts, else the server's), and a message made meanwhile
    names an option as the log form does ("tick “Log it anyway”", the field “When”), never as the
    command line does (`add --force`). Both are context variables: the work of a page run in the
    thread pool sees them too. `?lang=` (the switch) is remembered in a cookie, and the address
    without it replaces the one in the address bar."""

    def __init__(self, app: Guard, default: str) -> None:
        self.app, self.default = app, default

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        switched = parse_language(request.query_params.get("lang", ""))
        if switched is not None and request.method in ("GET", "HEAD"):
            answer = RedirectResponse(address_without(request, "lang"), status_code=303)
            answer.set_cookie(LANGUAGE_COOKIE, switched, max_age=LANGUAGE_KEPT_SECONDS, httponly=True,
                              samesite="lax", path="/")
            await answer(scope, receive, send)
            return
        chosen = (parse_language(request.cookies.get(LANGUAGE_COOKIE, ""))
                  or language_accepted(request.headers.get("accept-language", "")) or self.default)
        with speaking(chosen), naming_options(views.option_name):
            await self.app(scope, receive, send)
