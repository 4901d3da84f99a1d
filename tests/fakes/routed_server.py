"""A local HTTP server whose pages a test sets and changes while it runs."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    """What the server answers for one path."""

    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class RoutedServer:
    """Serves ``routes`` (path -> Page) on 127.0.0.1; unknown paths answer 404."""

    def __init__(self) -> None:
        self.routes: dict[str, Page] = {}
        self.hits: Counter[str] = Counter()
        # path -> event: a request for the path waits until the event is set (a page
        # that hangs while the test looks at a crawl in progress).
        self.holds: dict[str, threading.Event] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path
                server.hits[path] += 1
                hold = server.holds.get(path)
                if hold is not None:
                    hold.wait(timeout=600)
                page = server.routes.get(path) or Page(b"<h1>404</h1>", status=404)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                for name, value in page.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Root URL with a trailing slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def url(self, path: str) -> str:
        """Absolute URL of ``path``."""
        return self.base_url.rstrip("/") + path

    def set_html(self, path: str, html: str, status: int = 200, encoding: str = "utf-8") -> None:
        """Serve ``html`` at ``path``."""
        self.routes[path] = Page(html.encode(encoding), status, f"text/html; charset={encoding}")

    def __enter__(self) -> RoutedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for hold in self.holds.values():
            hold.set()
        self._server.shutdown()
        self._server.server_close()


def refused_url() -> str:
    """A URL on 127.0.0.1 whose port refuses connections (bound, then closed)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
