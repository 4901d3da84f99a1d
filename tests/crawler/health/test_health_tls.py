"""Certificate checks against local HTTPS servers with certificates made for the test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fakes.sites import FakeResponse, FakeSite, TestCA, issue_certificate, refusing_port

from crawler.health.tls import check_certificate

OK_PAGE = {"/": FakeResponse(body=b"ok")}


def test_valid_certificate_from_trusted_ca(test_ca: TestCA, cert_dir: Path) -> None:
    files = issue_certificate(test_ca, ["localhost", "127.0.0.1"], directory=cert_dir, stem="valid")
    with FakeSite(OK_PAGE, tls=files.server_context()) as site:
        status = check_certificate(
            "127.0.0.1", site.port, timeout_s=5, cafile=str(test_ca.cert_path)
        )
    assert status.valid
    assert status.problem is None
    assert status.not_after is not None and status.not_after > dt.datetime.now(dt.UTC)
    assert status.issuer is not None and "govwatch test CA" in status.issuer


def test_valid_certificate_by_server_hostname(test_ca: TestCA, cert_dir: Path) -> None:
    files = issue_certificate(test_ca, ["www.example.gov.cn"], directory=cert_dir, stem="named")
    with FakeSite(OK_PAGE, tls=files.server_context()) as site:
        status = check_certificate(
            "127.0.0.1",
            site.port,
            timeout_s=5,
            server_hostname="www.example.gov.cn",
            cafile=str(test_ca.cert_path),
        )
    assert status.valid, status.detail


def test_self_signed(cert_dir: Path) -> None:
    files = issue_certificate(None, ["127.0.0.1"], directory=cert_dir, stem="self-signed")
    with FakeSite(OK_PAGE, tls=files.server_context()) as site:
        status = check_certificate("127.0.0.1", site.port, timeout_s=5)
    assert not status.valid
    assert status.problem == "self_signed"
    assert status.not_after is not None


def test_expired(test_ca: TestCA, cert_dir: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    files = issue_certificate(
        test_ca,
        ["127.0.0.1"],
        directory=cert_dir,
        stem="expired",
        valid_from=now - dt.timedelta(days=400),
        valid_until=now - dt.timedelta(days=2),
    )
    with FakeSite(OK_PAGE, tls=files.server_context()) as site:
        status = check_certificate(
            "127.0.0.1", site.port, timeout_s=5, cafile=str(test_ca.cert_path)
        )
    assert not status.valid
    assert status.problem == "expired"
    assert status.not_after is not None and status.not_after < now


def test_wrong_host(test_ca: TestCA, cert_dir: Path) -> None:
    files = issue_certificate(test_ca, ["other.example.gov.cn"], directory=cert_dir, stem="wrong")
    with FakeSite(OK_PAGE, tls=files.server_context()) as site:
        status = check_certificate(
            "127.0.0.1",
            site.port,
            timeout_s=5,
            server_hostname="www.example.gov.cn",
            cafile=str(test_ca.cert_path),
        )
    assert not status.valid
    assert status.problem == "wrong_host"
    assert "other.example.gov.cn" in status.detail


def test_untrusted_issuer(test_ca: TestCA, cert_dir: Path) -> None:
    files = issue_certificate(test_ca, ["127.0.0.1"], directory=cert_dir, stem="untrusted")
    with FakeSite(OK_PAGE, tls=files.server_context()) as site:
        # The default trust store does not know the test CA.
        status = check_certificate("127.0.0.1", site.port, timeout_s=5)
    assert not status.valid
    assert status.problem == "untrusted"


def test_plain_http_port_fails_the_handshake() -> None:
    with FakeSite(OK_PAGE) as site:
        status = check_certificate("127.0.0.1", site.port, timeout_s=5)
    assert status.problem == "handshake_failed"


def test_refused_port_fails_the_handshake() -> None:
    with refusing_port() as port:
        status = check_certificate("127.0.0.1", port, timeout_s=5)
    assert status.problem == "handshake_failed"
    assert "refused" in status.detail.lower()
