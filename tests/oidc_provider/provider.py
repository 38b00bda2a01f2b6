"""The test provider as a process: started on a free loopback port, prepared by setup_site.py, and a
visitor (requests.Session) that signs in at it the way a browser does."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "provider-pass-2026"
TIMEOUT = 30  # seconds for any one HTTP request: generous for a slow, shared machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Provider:
    def __init__(self, directory: Path, redirect_uri: str, users: list[dict]):
        self.db = directory / "provider.sqlite3"
        self.log = directory / "provider.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.url}/openid"
        self.client_id, self.client_secret = "survey-portal", "portal-secret-for-tests"
        self.redirect_uri, self.users = redirect_uri, users
        self.process: subprocess.Popen | None = None
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))
        } | {
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "PROVIDER_DB": str(self.db),
            "PROVIDER_URL": self.url,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }

    def start(self) -> None:
        config = {
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "users": [{"password": PASSWORD, **user} for user in self.users],
        }
        subprocess.run(  # noqa: S603 - our own script, fixed arguments
            [sys.executable, str(ROOT / "tests" / "oidc_provider" / "setup_site.py"), json.dumps(config)],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=300,
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own test site, fixed arguments
            [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the test provider exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=5).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the test provider did not answer in 120 s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)

    def set_active(self, username: str, active: bool) -> None:
        """Enable or disable a person at the provider, as its administrators would."""
        with sqlite3.connect(self.db, timeout=30) as connection:
            connection.execute("UPDATE auth_user SET is_active = ? WHERE username = ?", (int(active), username))


class _Form(HTMLParser):
    """The first form of a page: its action and the values its inputs would send."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._done = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.action is None and not self._done:
            self.action = attributes.get("action") or ""
        elif tag == "input" and self.action is not None and not self._done:
            kind = attributes.get("type", "text")
            if attributes.get("name") and kind not in {"submit", "button"}:
                self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self.action is not None:
            self._done = True


def first_form(response: requests.Response) -> tuple[str, dict[str, str]]:
    parser = _Form()
    parser.feed(response.text)
    assert parser.action is not None, f"no form at {response.url}: {response.text[:500]}"
    action = requests.compat.urljoin(response.url, parser.action) if parser.action else response.url
    return action, parser.fields


class Visitor:
    """A person with a browser: the portal's and the provider's cookies, redirects followed."""

    def __init__(self, portal_url: str):
        self.portal_url = portal_url
        self.http = requests.Session()

    def get(self, path: str, **options) -> requests.Response:
        return self.http.get(self.portal_url + path, timeout=TIMEOUT, **options)

    def follow(self, response: requests.Response, *, into_portal: bool = True) -> requests.Response:
        """Follow redirects one by one; with into_portal False, stop at the one back to the portal."""
        for _hop in range(30):  # a browser gives up after about as many
            if not response.is_redirect:
                return response
            location = requests.compat.urljoin(response.url, response.headers["Location"])
            if not into_portal and location.startswith(self.portal_url):
                return response
            response = self.http.get(location, timeout=TIMEOUT, allow_redirects=False)
        raise AssertionError(f"redirected in circles: {response.url}")

    def sign_in_at_provider(self, username: str, *, follow_back: bool = True) -> requests.Response:
        """From the portal's button through the provider's login and consent forms; with follow_back
        False, stops at the provider's redirect back to the portal (its Location is the callback)."""
        login_page = self.follow(self.get("/accounts/sso/start/", allow_redirects=False))
        assert "provider-login" in login_page.text, login_page.text[:500]
        action, fields = first_form(login_page)
        page = self.http.post(
            action, data=fields | {"username": username, "password": PASSWORD}, timeout=TIMEOUT, allow_redirects=False
        )
        page = self.follow(page, into_portal=follow_back)
        if "Request for Permission" in page.text:  # the consent form, the first time
            action, fields = first_form(page)
            page = self.http.post(action, data=fields | {"allow": "Authorize"}, timeout=TIMEOUT, allow_redirects=False)
            page = self.follow(page, into_portal=follow_back)
        return page

    def portal_session_key(self) -> str | None:
        host = urlsplit(self.portal_url).hostname
        for cookie in self.http.cookies:
            if cookie.name == "sessionid" and cookie.domain.lstrip(".") in {host, f"{host}.local"}:
                return cookie.value
        return None


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))
