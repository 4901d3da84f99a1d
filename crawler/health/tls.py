"""TLS certificate check: is the site's certificate valid, and if not, what is wrong with it.

Verification uses the standard library's ssl with the default trust store (or an injected
CA file). When verification fails the certificate is fetched again without verification and
parsed with `cryptography`, so the problem can be named: expired, self-signed, issued for
another host, or merely untrusted.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

TlsProblem = Literal["expired", "self_signed", "wrong_host", "untrusted", "handshake_failed"]

# OpenSSL X509_V_ERR_* codes reported in SSLCertVerificationError.verify_code.
_X509_CERT_NOT_YET_VALID = 9
_X509_CERT_HAS_EXPIRED = 10
_X509_DEPTH_ZERO_SELF_SIGNED = 18
_X509_SELF_SIGNED_IN_CHAIN = 19
_X509_HOSTNAME_MISMATCH = 62
_X509_IP_ADDRESS_MISMATCH = 64


@dataclass(frozen=True, slots=True)
class TlsStatus:
    valid: bool
    problem: TlsProblem | None
    detail: str
    not_after: datetime | None  # UTC, timezone-aware
    issuer: str | None  # RFC 4514 string of the leaf certificate's issuer


@dataclass(frozen=True, slots=True)
class _PeerCertificate:
    not_before: datetime
    not_after: datetime
    issuer: str
    self_signed: bool
    names: tuple[str, ...]  # DNS names and IP addresses the certificate is valid for


def _parse_certificate(der: bytes) -> _PeerCertificate:
    certificate = x509.load_der_x509_certificate(der)
    names: list[str] = []
    try:
        san = certificate.extensions.get_extension_for_oid(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME
        ).value
        names += san.get_values_for_type(x509.DNSName)
        names += [str(address) for address in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        # Pre-SAN certificates only name the host in the subject CN.
        names += [
            str(attribute.value)
            for attribute in certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        ]
    return _PeerCertificate(
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
        issuer=certificate.issuer.rfc4514_string(),
        self_signed=certificate.issuer == certificate.subject,
        names=tuple(names),
    )


def _name_matches(hostname: str, pattern: str) -> bool:
    try:
        return ipaddress.ip_address(hostname) == ipaddress.ip_address(pattern)
    except ValueError:
        pass
    hostname = hostname.rstrip(".").lower()
    pattern = pattern.rstrip(".").lower()
    if pattern.startswith("*."):
        # A wildcard covers exactly one left-most label (RFC 6125 section 6.4.3).
        head, _, rest = hostname.partition(".")
        return bool(head) and rest == pattern[2:]
    return hostname == pattern


def _fetch_unverified(
    host: str, port: int, timeout_s: float, server_hostname: str
) -> _PeerCertificate:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with (
        socket.create_connection((host, port), timeout=timeout_s) as raw,
        context.wrap_socket(raw, server_hostname=server_hostname) as tls_socket,
    ):
        der = tls_socket.getpeercert(binary_form=True)
    if der is None:
        raise ssl.SSLError("server sent no certificate")
    return _parse_certificate(der)


def _classify_failure(
    error: ssl.SSLCertVerificationError, peer: _PeerCertificate | None, hostname: str
) -> tuple[TlsProblem, str]:
    code = error.verify_code
    message = error.verify_message or str(error)
    now = datetime.now(UTC)
    # The certificate itself is the better witness: OpenSSL stops at the first error it
    # meets, so an expired self-signed certificate may be reported as either.
    if peer is not None:
        if peer.not_after < now:
            return "expired", f"certificate expired on {peer.not_after.isoformat()} ({message})"
        if peer.self_signed and code != _X509_HOSTNAME_MISMATCH:
            return "self_signed", f"self-signed certificate issued by {peer.issuer} ({message})"
        if not any(_name_matches(hostname, name) for name in peer.names):
            names = ", ".join(peer.names) or "no names"
            return "wrong_host", f"certificate is for {names}, not {hostname} ({message})"
    if code == _X509_CERT_HAS_EXPIRED:
        return "expired", message
    if code in {_X509_DEPTH_ZERO_SELF_SIGNED, _X509_SELF_SIGNED_IN_CHAIN}:
        return "self_signed", message
    if code in {_X509_HOSTNAME_MISMATCH, _X509_IP_ADDRESS_MISMATCH}:
        return "wrong_host", message
    if code == _X509_CERT_NOT_YET_VALID:
        return "untrusted", f"certificate not yet valid ({message})"
    return "untrusted", message


def check_certificate(
    host: str,
    port: int = 443,
    timeout_s: float = 10.0,
    server_hostname: str | None = None,
    cafile: str | None = None,
) -> TlsStatus:
    """Verify the certificate `host:port` presents for `server_hostname` (default: host).

    `cafile` replaces the system trust store (tests trust their own CA this way). Blocking;
    use check_certificate_async from async code.
    """
    hostname = server_hostname or host
    context = ssl.create_default_context(cafile=cafile)
    try:
        with (
            socket.create_connection((host, port), timeout=timeout_s) as raw,
            context.wrap_socket(raw, server_hostname=hostname) as tls_socket,
        ):
            der = tls_socket.getpeercert(binary_form=True)
    except ssl.SSLCertVerificationError as error:
        try:
            peer: _PeerCertificate | None = _fetch_unverified(host, port, timeout_s, hostname)
        except (OSError, ValueError):
            peer = None
        problem, detail = _classify_failure(error, peer, hostname)
        return TlsStatus(
            valid=False,
            problem=problem,
            detail=detail,
            not_after=peer.not_after if peer else None,
            issuer=peer.issuer if peer else None,
        )
    except (OSError, ValueError) as error:
        # Refused, timed out, DNS failure, plain HTTP on the port, protocol mismatch...
        return TlsStatus(
            valid=False,
            problem="handshake_failed",
            detail=f"{type(error).__name__}: {error}",
            not_after=None,
            issuer=None,
        )
    if der is None:
        return TlsStatus(False, "handshake_failed", "server sent no certificate", None, None)
    peer = _parse_certificate(der)
    return TlsStatus(
        valid=True,
        problem=None,
        detail=f"valid until {peer.not_after.isoformat()}",
        not_after=peer.not_after,
        issuer=peer.issuer,
    )


async def check_certificate_async(
    host: str,
    port: int = 443,
    timeout_s: float = 10.0,
    server_hostname: str | None = None,
    cafile: str | None = None,
) -> TlsStatus:
    """check_certificate in a worker thread, for callers running an event loop."""
    return await asyncio.to_thread(
        check_certificate, host, port, timeout_s, server_hostname, cafile
    )
