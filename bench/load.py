"""Form submissions under open-loop load against the app served by gunicorn.

A small asyncio client sends requests at a fixed arrival rate whatever the
server's speed (open loop): request i is due at start + i / rate, and its
latency is measured from when it was due, so a slow server cannot hide its
queue by slowing the client down (no coordinated omission).

Each request registers a new patient with two tumours through the clinician's
"new patient" form, as a browser would post it: session cookie, CSRF token,
the formset's management fields.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import statistics
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPConnection

from bench import settings

FORM_URL = "/patients/new/"
PATIENT = {
    "date_of_birth": "1958-03-14",
    "sex": "female",
    "primary_site": "colorectal",
    "metastasis_timing": "metachronous",
    "tumours-0-label": "T1",
    "tumours-0-segment": "6",
    "tumours-0-max_diameter_mm": "22",
    "tumours-1-label": "T2",
    "tumours-1-segment": "3",
    "tumours-1-max_diameter_mm": "31",
}
TIMEOUT_S = 10.0


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


@contextlib.contextmanager
def gunicorn(database: str, *, workers: int = 3) -> Iterator[int]:
    """Serve the app on a free loopback port, as docker-compose.yml does; yield the port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            settings.PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=settings.ROOT,
        env=settings.app_environment(database),
    )
    try:
        _wait_for(port, server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before serving")
        try:
            conn = HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


class _FormFields(HTMLParser):
    """Collect the default values of the inputs and selects a browser would submit."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("checkbox", "radio", "submit"):
            self.values.setdefault(name, a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
        elif (
            tag == "option"
            and self._select
            and ("selected" in a or self._select not in self.values)
        ):
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


class Session:
    """A signed-in browser: cookies plus the CSRF token of the last page read."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _send(self, method: str, url: str, body: dict[str, str] | None = None) -> tuple[int, str]:
        conn = HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_S)
        headers = {"Cookie": self.cookie_header()}
        payload = None
        if body is not None:
            payload = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, url, payload, headers)
        response = conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def sign_in(self, username: str, password: str) -> None:
        _, page = self._send("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        status, _ = self._send(
            "POST",
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        )
        if status != 302:
            raise RuntimeError(f"sign-in as {username} answered {status}")

    def form_defaults(self, url: str) -> dict[str, str]:
        status, page = self._send("GET", url)
        if status != 200:
            raise RuntimeError(f"GET {url} answered {status}")
        reader = _FormFields()
        reader.feed(page)
        return reader.values


async def _post(port: int, request: bytes, due: float, outcome: Outcome) -> None:
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection("127.0.0.1", port), TIMEOUT_S
        )
        writer.write(request)
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), TIMEOUT_S)
        await asyncio.wait_for(reader.read(), TIMEOUT_S)
        writer.close()
    except (OSError, TimeoutError) as error:
        outcome.error(type(error).__name__)
        return
    latency = (time.perf_counter() - due) * 1000
    status = status_line.split(b" ")[1].decode() if status_line else "no answer"
    if status == "302":  # saved: redirected to the patient's page
        outcome.latencies_ms.append(latency)
    else:
        outcome.error(f"HTTP {status}")


def _requests(session: Session, count: int, tag: str) -> list[bytes]:
    base = session.form_defaults(FORM_URL) | PATIENT
    requests = []
    for i in range(count):
        body = urllib.parse.urlencode(base | {"hospital_number": f"BENCH {tag} {i}"}).encode()
        head = (
            f"POST {FORM_URL} HTTP/1.1\r\nHost: 127.0.0.1:{session.port}\r\n"
            f"Cookie: {session.cookie_header()}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        requests.append(head.encode() + body)
    return requests


async def _open_loop(port: int, requests: list[bytes], rate: float) -> Outcome:
    outcome = Outcome()
    start = time.perf_counter() + 0.1
    tasks = []
    for i, request in enumerate(requests):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(_post(port, request, due, outcome)))
    await asyncio.gather(*tasks)
    return outcome


def run(port: int, *, rate: float, seconds: float, tag: str) -> dict[str, object]:
    """Post the new-patient form at `rate` per second for `seconds`; summarise latencies."""
    session = Session(port)
    session.sign_in("clinician", "cryoaudit-demo")
    requests = _requests(session, int(rate * seconds), tag)
    outcome = asyncio.run(_open_loop(port, requests, rate))
    return summarise(outcome, len(requests))


def summarise(outcome: Outcome, sent: int) -> dict[str, object]:
    latencies = sorted(outcome.latencies_ms)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []
    pick = (lambda p: cuts[p - 1]) if cuts else (lambda p: latencies[0] if latencies else None)
    return {
        "sent": sent,
        "ok": len(latencies),
        "errors": sum(outcome.errors.values()),
        "error_kinds": outcome.errors,
        "p50_ms": pick(50),
        "p95_ms": pick(95),
        "p99_ms": pick(99),
    }
