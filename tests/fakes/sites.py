"""Local test servers for the health checkers: HTTP on 127.0.0.1 or ::1, HTTPS with test
certificates made at test time, and a port that refuses connections.

Servers listen on port 0 of a loopback address, run in a daemon thread, count the requests
they receive, and are stopped by the test (use them as context managers). Handlers that must
be slow wait on an event that `stop()` sets, so no test ever sleeps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Upper bound for a "slow" handler if a test forgets to stop its server.
_MAX_HOLD_S = 30.0


@dataclass(frozen=True, slots=True)
class FakeResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    head_status: int | None = None  # answer HEAD with this status instead (e.g. 405)
    drop_head: bool = False  # close the connection without answering a HEAD
    hold: bool = False  # do not answer until the server is stopped (a timeout)


Route = FakeResponse | Callable[[str, str], FakeResponse]  # (method, path) -> response


def html_page(title: str, body: str = "", *, extra_head: str = "") -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"{extra_head}</head><body>{body}</body></html>"
    ).encode()


def redirect(location: str, status: int = 302) -> FakeResponse:
    return FakeResponse(status=status, headers=(("Location", location),), body=b"")


@dataclass
class _State:
    routes: dict[str, Route]
    released: threading.Event = field(default_factory=threading.Event)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean

    def _answer(self, method: str) -> None:
        state = self.server.state
        path = self.path.split("?", 1)[0]
        with state.lock:
            state.counts[(method, self.path)] += 1
        route = state.routes.get(self.path, state.routes.get(path))
        if route is None:
            response = FakeResponse(status=404, body=html_page("404 Not Found"))
        elif callable(route):
            response = route(method, self.path)
        else:
            response = route
        if response.hold:
            state.released.wait(_MAX_HOLD_S)
            self.close_connection = True
            return
        status = response.status
        if method == "HEAD":
            if response.drop_head:
                self.close_connection = True
                return
            status = response.head_status or status
        self.send_response(status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(response.body)

    def do_GET(self) -> None:
        self._answer("GET")

    def do_HEAD(self) -> None:
        self._answer("HEAD")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, state: _State, tls: ssl.SSLContext | None) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.state = state
        super().__init__((host, 0), _Handler)
        if tls is not None:
            # Handshake in the handler thread, so a client that rejects the certificate
            # cannot block the accept loop.
            self.socket = tls.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hanging up mid-response (HEAD-only checks, timeouts) are expected


class FakeSite:
    """A local website: `routes` maps a path (with or without query) to a response."""

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        *,
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self._state = _State(routes=dict(routes or {}))
        self._tls = tls
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None  # kept after stop() so URLs can still be compared

    def __enter__(self) -> FakeSite:
        self._server = _Server(self.host, self._state, self._tls)
        self._port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._state.released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        assert self._port is not None, "server not started"
        return self._port

    @property
    def netloc(self) -> str:
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return f"{shown}:{self.port}"

    def url(self, path: str = "/") -> str:
        scheme = "https" if self._tls is not None else "http"
        return f"{scheme}://{self.netloc}{path}"

    def add(self, path: str, route: Route) -> None:
        self._state.routes[path] = route

    def count(self, path: str, method: str | None = None) -> int:
        with self._state.lock:
            return sum(
                number
                for (seen_method, seen_path), number in self._state.counts.items()
                if seen_path == path and method in (None, seen_method)
            )


@contextlib.contextmanager
def refusing_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port on `host` that refuses connections: bound (nobody else takes it), not listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as reserved:
        reserved.bind((host, 0))
        yield int(reserved.getsockname()[1])


# --- certificates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertFiles:
    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context


@dataclass(frozen=True, slots=True)
class TestCA:
    __test__ = False  # not a pytest test class despite the name

    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    cert_path: Path  # PEM file to pass as cafile
    directory: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "govwatch tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _write(directory: Path, stem: str, certificate: x509.Certificate, key: object) -> CertFiles:
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    cert_path = directory / f"{stem}.crt"
    key_path = directory / f"{stem}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return CertFiles(cert_path, key_path)


def make_ca(directory: Path) -> TestCA:
    """A throwaway certificate authority; EC keys keep generation to milliseconds."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name("govwatch test CA"))
        .issuer_name(_name("govwatch test CA"))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    files = _write(directory, "ca", certificate, key)
    return TestCA(key=key, certificate=certificate, cert_path=files.cert_path, directory=directory)


def issue_certificate(
    ca: TestCA | None,
    names: list[str],
    *,
    directory: Path,
    stem: str,
    valid_from: dt.datetime | None = None,
    valid_until: dt.datetime | None = None,
) -> CertFiles:
    """A server certificate for `names`, signed by `ca`, or self-signed when ca is None."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    subject = _name(names[0])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject if ca else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from or now - dt.timedelta(days=1))
        .not_valid_after(valid_until or now + dt.timedelta(days=10))
        .add_extension(_san(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
    )
    if ca is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    certificate = builder.sign(ca.key if ca else key, hashes.SHA256())
    return _write(directory, stem, certificate, key)
