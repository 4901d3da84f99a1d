"""Local stand-ins for what the service talks to: robot webhooks, SMTP, a hanging site.

Everything binds 127.0.0.1 on a free port and is stopped by the test that starts it.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One POST a fake webhook received."""

    path: str
    query: dict[str, list[str]]
    payload: dict[str, Any]


@dataclass
class FakeWebhook:
    """A robot webhook (WeCom or DingTalk style): records POSTs, answers errcode 0."""

    received: list[Received] = field(default_factory=list)
    fail_with_status: int | None = None  # set: answer this HTTP status (a channel down)
    event: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = urlsplit(self.path)
                if fake.fail_with_status is not None:
                    self.send_response(fake.fail_with_status)
                    self.end_headers()
                    return
                fake.received.append(Received(parts.path, parse_qs(parts.query), json.loads(body)))
                fake.event.set()
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path_and_query: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path_and_query}"

    def texts(self) -> list[str]:
        return [item.payload["text"]["content"] for item in self.received]

    def __enter__(self) -> FakeWebhook:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeSmtp:
    """An SMTP server (aiosmtpd) keeping every message it accepts."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        """``credentials``: (user, password) the server requires (AUTH over plain SMTP)."""
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.messages: list[Any] = []
        self.logins: list[str] = []  # user names that authenticated
        fake = self

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
        ) -> AuthResult:
            if credentials is None or not isinstance(auth_data, LoginPassword):
                return AuthResult(success=False, handled=False)
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if (user, password) != credentials:
                return AuthResult(success=False, handled=False)
            fake.logins.append(user)
            return AuthResult(success=True)

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                fake.messages.append(envelope)
                return "250 OK"

        self.port = free_port()
        auth_options: dict[str, Any] = (
            {"authenticator": authenticate, "auth_require_tls": False, "auth_required": True}
            if credentials
            else {}
        )
        self._controller = Controller(
            Handler(), hostname="127.0.0.1", port=self.port, **auth_options
        )

    def subjects(self) -> list[str]:
        from email import message_from_bytes
        from email.header import decode_header, make_header

        return [
            str(make_header(decode_header(message_from_bytes(m.content)["Subject"])))
            for m in self.messages
        ]

    def __enter__(self) -> FakeSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


class HangingServer:
    """Accepts connections and never answers: a crawl of it hangs until its time limit."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(50)
        self._connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}/"

    def _accept(self) -> None:
        self._socket.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self._connections.append(connection)

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self._connections:
            connection.close()
        self._socket.close()
