"""A real OpenID Connect provider for the sign-in tests: panva's oidc-provider (tests/oidc,
installed by ``npm ci --prefix tests/oidc``), started with node on a free loopback port, and a
browser stand-in that walks its login and consent pages as a person would."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
CLIENT_ID = "bxl-permits"
CLIENT_SECRET = "test-only-client-secret-of-the-permits-site"
CALLBACK = "http://testserver/account/oidc/callback/"
FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"')
PROMPT = re.compile(r'name="prompt" value="(\w+)"')


def missing() -> str | None:
    if shutil.which("node") is None:
        return "needs Node.js (CI has it)"
    if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        return "needs the test provider: npm ci --prefix tests/oidc (CI runs it)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen


def start(emails: dict[str, str] | None = None, redirect_uri: str = CALLBACK) -> Provider:
    port = _free_port()
    env = {
        **os.environ,
        "OIDC_TEST_PORT": str(port),
        "OIDC_TEST_CLIENT_ID": CLIENT_ID,
        "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_TEST_REDIRECT_URI": redirect_uri,
        "OIDC_TEST_EMAILS": json.dumps(emails or {}),
    }
    process = subprocess.Popen(
        ["node", str(OIDC_DIR / "provider.mjs")],
        cwd=OIDC_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            line = process.stdout.readline()
            if line.startswith("listening "):
                return Provider(issuer=line.split()[1], process=process)
            if not line and process.poll() is not None:
                break
    process.kill()
    raise RuntimeError("The test OpenID Connect provider did not start.")


def stop(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait()


def authorize(authorization_url: str, login: str) -> str:
    """Follow the provider's pages from the authorization URL: sign in as ``login`` (any
    password: the development login page), consent, and return the redirect to our callback
    (with its code and state) without following it."""
    browser = requests.Session()
    url = authorization_url
    for _step in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        while response.status_code == 200:
            action = FORM.search(response.text)
            prompt = PROMPT.search(response.text)
            assert action and prompt, response.text[:500]
            data = {"prompt": prompt.group(1)}
            if data["prompt"] == "login":
                data.update(login=login, password="any-password")
            response = browser.post(
                urljoin(url, action.group(1)), data=data, allow_redirects=False, timeout=10
            )
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
        if url.startswith(CALLBACK):
            return url
    raise AssertionError("The provider never sent the browser back to the site.")


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


class TamperingTokenProxy:
    """A man in the middle on loopback between the site and the provider's token endpoint:
    forwards the request, then rewrites the ID token's payload (its ``sub``) and keeps the
    provider's signature, as an attacker who altered the token would."""

    def __init__(self, token_endpoint: str, sub: str) -> None:
        import base64
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        def tamper(id_token: str) -> str:
            header, payload, signature = id_token.split(".")
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            claims["sub"] = sub
            forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return f"{header}.{forged}.{signature}"

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                upstream = requests.post(
                    token_endpoint,
                    data=body,
                    headers={
                        "Content-Type": self.headers["Content-Type"],
                        "Authorization": self.headers.get("Authorization", ""),
                    },
                    timeout=10,
                )
                answer = upstream.json()
                if "id_token" in answer:
                    answer["id_token"] = tamper(answer["id_token"])
                data = json.dumps(answer).encode()
                self.send_response(upstream.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
