"""`topup serve` as a user runs it: the real command in its own process, and a real Chromium logging a
top-up with a photo through the form (after a refusal that names the form's checkbox, not `--force`),
finding it and seeing the photo."""

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import urllib.error
import urllib.request
import zlib
from contextlib import contextmanager

import pytest

from tests.conftest import run_process, table_dump

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
# As root and on a closed network, Chromium needs these to start quickly and quietly.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


def _png(width: int, height: int) -> bytes:
    """A real PNG of a red and white stripe pattern, as a phone photo of a receipt would be a picture."""
    rows = b"".join(b"\x00" + b"".join(b"\xd0\x20\x20" if (x // 8 + y // 8) % 2 else b"\xff\xff\xff"
                                        for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@contextmanager
def serving(*args: str):
    """`topup serve ARGS…` running; yields (process, the URL it printed)."""
    with subprocess.Popen([sys.executable, "-m", "ledger", "serve", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as process:
        try:
            url = process.stdout.readline().strip()
            assert url, process.stderr.read()
            yield process, url
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()


def _get(url: str, headers: dict | None = None) -> tuple[int, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ARG002
        return None


@pytest.fixture
def cards(topup_ok):
    topup_ok("card", "add", "八達通", "--kind", "smart", "--region", "HK", "--max-topup", "1000")
    topup_ok("log", "八達通", "100", "--at", "2026-03-14 18:42", "--ref", "RC-OLD-1")


def test_serve_prints_one_url_with_a_token_and_stops_cleanly_on_ctrl_c(cards):
    with serving() as (process, url):
        found = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]{32,})", url)
        assert found, url
        port, token = found[1], found[2]
        assert _get(f"http://127.0.0.1:{port}/")[0] == 403
        assert _get(f"http://127.0.0.1:{port}/", {"Host": f"rebound.example:{port}"})[0] == 421
        status, _ = _get(url)
        assert status == 303  # to the same page, the token now in a cookie
        status, page = _get(f"http://127.0.0.1:{port}/", {"Cookie": f"topup_token_{port}={token}"})
        assert status == 200 and "RC-OLD-1" in page
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        rest = process.stdout.read()
        assert rest == "" and "stopped" in process.stderr.read()  # stdout held the URL and nothing else


def test_ctrl_c_while_an_upload_stalls_stops_within_seconds_without_a_traceback(cards):
    with serving() as (process, url):
        port, token = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=(.+)", url).groups()
        with socket.create_connection(("127.0.0.1", int(port))) as stalled:
            stalled.sendall(f"POST /log HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: topup_token_{port}={token}\r\n"
                            "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n"
                            "--b\r\nContent-Disposition: form-data; name=\"card\"\r\n\r\n八達通\r\n".encode())
            _get(f"http://127.0.0.1:{port}/", {"Cookie": f"topup_token_{port}={token}"})  # the upload is under way
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        said = process.stderr.read()
        assert "Traceback" not in said and said.endswith("stopped\n")


def test_a_browser_that_leaves_during_an_upload_is_no_error(cards, ledger_path):
    before = table_dump(ledger_path)
    with serving() as (process, url):
        port, token = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=(.+)", url).groups()
        cookie = {"Cookie": f"topup_token_{port}={token}"}
        for part in ["", "--b\r\nContent-Disposition: form-data; name=\"receipt\"; filename=\"a.png\"\r\n\r\n" + "x" * 5000]:
            with socket.create_connection(("127.0.0.1", int(port))) as leaving:
                leaving.sendall(f"POST /log HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
                                f"Cookie: topup_token_{port}={token}\r\nContent-Length: 100000\r\n"
                                "Content-Type: multipart/form-data; boundary=b\r\n\r\n"
                                f"--b\r\nContent-Disposition: form-data; name=\"card\"\r\n\r\n八達通\r\n{part}".encode())
                _get(f"http://127.0.0.1:{port}/", cookie)  # the upload is under way
        assert _get(f"http://127.0.0.1:{port}/", cookie)[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
        assert process.stderr.read() == "stopped\n"
    assert table_dump(ledger_path) == before


def test_a_token_is_good_for_one_run_of_serve(cards):
    with serving() as (process, url):
        port, token = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=(.+)", url).groups()
        assert _get(f"http://127.0.0.1:{port}/", {"Cookie": f"topup_token_{port}={token}"})[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    with serving("--port", port) as (_, again):
        assert again != url
        status, said = _get(f"http://127.0.0.1:{port}/", {"Cookie": f"topup_token_{port}={token}"})
        assert status == 403 and "RC-OLD-1" not in said
        assert _get(url)[0] == 403
        assert _get(again)[0] == 303


def test_connections_that_never_finish_their_headers_are_cut_off_and_sigterm_stops_the_server(cards, tmp_path):
    import resource

    def few_files():  # so few that connections left half-sent would use them all up without a bound
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))

    said = tmp_path / "serve.err"
    with said.open("w") as errors, subprocess.Popen([sys.executable, "-m", "ledger", "serve"], stdout=subprocess.PIPE,
                                                    stderr=errors, text=True, preexec_fn=few_files) as process:
        try:
            url = process.stdout.readline().strip()
            port, token = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=(.+)", url).groups()
            half_sent = []
            for _ in range(300):
                stranger = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
                stranger.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
                half_sent.append(stranger)
            cookie = {"Cookie": f"topup_token_{port}={token}"}
            status, page = _get(f"http://127.0.0.1:{port}/", cookie)
            assert status == 200 and "RC-OLD-1" in page  # answered while they are still open
            for stranger in half_sent:  # each is closed by the server: cut off at once, or when its headers are late
                with stranger:
                    assert stranger.recv(100) == b""
            assert _get(f"http://127.0.0.1:{port}/", cookie)[0] == 200
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == -signal.SIGTERM
            with pytest.raises(ConnectionRefusedError):  # nothing listens there any more
                socket.create_connection(("127.0.0.1", int(port)), timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
    assert "Traceback" not in said.read_text()


def test_a_port_in_use_or_a_file_that_is_no_ledger_is_refused_before_anything_listens(cards, tmp_path, ledger_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = run_process("serve", "--port", str(port), timeout=60)
    assert busy.returncode == 1 and busy.stdout == ""
    assert busy.stderr == f"error: port {port} is in use; choose another with --port, or leave it out for a free one\n"
    other = tmp_path / "notes.txt"
    other.write_text("not a ledger")
    refused = run_process("--db", str(other), "serve", timeout=60)
    assert refused.returncode == 1 and refused.stdout == "" and refused.stderr.startswith("error: ")
    assert other.read_text() == "not a ledger"
    missing = run_process("--db", str(tmp_path / "typo.db"), "serve", timeout=60)
    assert missing.returncode == 1 and missing.stdout == "" and "there is no ledger at" in missing.stderr
    assert not (tmp_path / "typo.db").exists()


def test_lan_serves_on_the_local_network_address_with_a_qr_code_or_says_there_is_none(cards):
    try:
        with serving("--lan") as (process, url):
            host = re.fullmatch(r"http://([\d.]+):\d+/\?token=[\w-]+", url)[1]
            assert not host.startswith("127.")
            qr = [process.stdout.readline().rstrip("\n") for _ in range(8)]
            assert all(set(line) <= set(" █▀▄") for line in qr) and any("█" in line for line in qr)
            assert max(len(line) for line in qr) <= 40  # whole on a phone's terminal
            with pytest.raises(urllib.error.URLError):  # it listens on that address only, not on loopback
                _get(url.replace(host, "127.0.0.1"))
            assert _get(url)[0] == 303
    except AssertionError as nothing_served:  # a machine on no network: a plain refusal, nothing served
        assert "error: this machine has no local network address" in str(nothing_served)


def test_help_loads_no_part_of_the_web_stack():
    loaded = subprocess.run([sys.executable, "-c", "import sys; sys.argv = ['topup', '--help']\n"
                             "from ledger.cli import app\n"
                             "try:\n    app(prog_name='topup')\nexcept SystemExit:\n    pass\n"
                             "print(sorted({m.split('.')[0] for m in sys.modules} & "
                             "{'starlette', 'uvicorn', 'jinja2', 'segno', 'multipart'}), file=sys.stderr)"],
                            capture_output=True, text=True)
    assert loaded.stderr.strip() == "[]" and "serve" in loaded.stdout


def test_a_top_up_logged_with_a_photo_in_chromium_is_found_and_its_photo_seen(cards, topup_ok, tmp_path):
    from playwright.sync_api import sync_playwright

    topup_ok("card", "add", "手机", "--kind", "sim", "--region", "CN", "--number", "13800138000")
    for month, amount, channel, merchant in [(5, "50", "微信", "中国移动"), (7, "100", "alipay", "中国移动"),
                                             (8, "30", "sms", None), (10, "100", "微信", "中国移动")]:
        topup_ok("log", "手机", amount, "--at", f"2026-{month:02d}-12 09:30", "--channel", channel,
                 "--ref", f"42000012342026{month:02d}12", *(["--merchant", merchant] if merchant else []))
    topup_ok("log", "八達通", "300", "--at", "2026-09-01 08:05", "--channel", "7-eleven", "--note", "月票 monthly pass")
    topup_ok("log", "手机", "20", "--at", "2026-11-02 21:15", "--channel", "online", "--ref", "4200001234202611021234567890",
             "--merchant", "https://pay.carrier.example/recharge/mobile/online-topup-service/confirm")

    photo = tmp_path / "receipt-photo.png"
    photo.write_bytes(_png(160, 96))
    with serving() as (_, url), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone's screen
            page.goto(url)
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 390  # long values wrap on a phone
            page.click("text=Log a top-up")
            page.select_option("select[name=card]", "八達通")
            page.fill("input[name=amount]", "HK$2000")  # over the card's limit: refused, naming the checkbox
            page.select_option("select[name=channel]", "kiosk")
            page.fill("input[name=ref]", "RC-PHONE-77")
            page.fill("textarea[name=note]", "MTR 站 <增值機>")
            page.click("button[type=submit]")
            page.wait_for_load_state()
            refused = page.inner_text("main")
            assert "or tick “Log it anyway” if it is right" in refused and "--force" not in refused, refused
            assert page.get_by_label("Log it anyway").get_attribute("name") == "force"
            page.fill("input[name=amount]", "HK$200")  # what was typed is kept; a file is chosen again
            page.set_input_files("input[name=receipt]", str(photo))
            page.click("button[type=submit]")
            page.wait_for_load_state()  # the page and its stylesheet
            assert re.search(r"/records/\d+\?done=", page.url), page.inner_text("main")
            assert "Logged as record 8." in page.inner_text("main")
            _assert_photo_shown(page, 160)

            page.goto(url.split("?")[0])
            page.fill("input[name=q]", "PHONE-77")
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"q=PHONE-77"))
            rows = page.locator("table.records tbody tr")
            assert rows.count() == 1 and "200.00 HKD" in rows.first.inner_text()
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 390  # fits the phone: no sideways scroll
            rows.first.locator("a").first.click()
            page.wait_for_url(re.compile(r"/records/8$"))
            assert "MTR 站 <增值機>" in page.inner_text("main")
            _assert_photo_shown(page, 160)

            desk = browser.new_page(viewport={"width": 1100, "height": 800})
            desk.goto(url)
            assert desk.evaluate("document.scrollingElement.scrollWidth") <= 1100  # long channel names wrap
            shot = tmp_path / "records.png"
            desk.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes().startswith(b"\x89PNG")
            if os.environ.get("TOPUP_SCREENSHOT"):  # README's picture of the records page is made here
                shutil.copy(shot, os.environ["TOPUP_SCREENSHOT"])

            page.goto(url.split("?")[0] + "?lang=zh-Hant")  # the switch, on a phone, remembered after
            page.goto(url.split("?")[0])
            assert page.get_attribute("html", "lang") == "zh-Hant" and "記錄增值" in page.inner_text("nav")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
            times = page.locator("table.records tbody tr").first.locator("td").nth(1)
            assert times.evaluate("cell => cell.getClientRects().length") == 1  # the time on one line
            labels = page.eval_on_selector_all("figure.chart svg text",
                                               "texts => texts.map(t => t.getBoundingClientRect().height)")
            assert labels and min(labels) >= 9  # the chart's months and totals readable on the phone
            shot = tmp_path / "records-zh-hant.png"
            page.screenshot(path=str(shot), full_page=True)
            if os.environ.get("TOPUP_SCREENSHOT_ZH"):  # README's picture of a page in Traditional Chinese
                shutil.copy(shot, os.environ["TOPUP_SCREENSHOT_ZH"])
        finally:
            browser.close()
    logged = run_process("show", "8", "--format", "json")
    assert '"ref": "RC-PHONE-77"' in logged.stdout and '"channel": "kiosk"' in logged.stdout
    assert run_process("verify").returncode == 0


def _assert_photo_shown(page, width: int) -> None:
    image = page.locator("section.receipt img")
    assert image.count() == 1
    image.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth", image.element_handle()) == width
