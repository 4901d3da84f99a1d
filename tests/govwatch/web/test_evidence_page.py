"""A finding's evidence page: rendered on request from what the crawl saw, never fetched
again, and never by the check (which opens no browser and renders nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from observe import add_posts, days_before, observe_column, register_columns

from govwatch.web.app import create_app
from govwatch.web.auth import hash_password
from govwatch.web.evidence import NO_FAITHFUL_EVIDENCE, evidence_html
from settings import get_settings
from storage.clock import china_today, utcnow
from storage.db import session_scope
from storage.findings_query import query_findings
from storage.models import Finding

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2)

USER, PASSWORD = "inspector", "正确的密码-2026"


def add_finding(rule: str, target_type: str, target_id: str, severity: str = "veto") -> int:
    with session_scope() as session:
        finding = Finding(
            fingerprint=f"{rule}|{target_type}|{target_id}|{severity}",
            rule=rule,
            severity=severity,
            target_type=target_type,
            target_id=target_id,
            message=f"{rule} 问题",
            # The live URL: nothing listens there any more, as when a site goes down.
            evidence=["http://127.0.0.1:9/"],
            first_seen=datetime(2026, 1, 1),
            last_seen=datetime(2026, 1, 1),
        )
        session.add(finding)
        session.flush()
        return finding.id


def test_homepage_evidence_lists_what_the_crawl_saw(database_url: str) -> None:
    register_columns({"动态": "news"})
    observe_column("首页", days_before(AS_OF, 30, 31), SEEN, homepage=True)
    observe_column("动态", days_before(AS_OF, 40), SEEN)
    finding_id = add_finding("HOMEPAGE_NOT_UPDATED", "site", "s")
    with session_scope() as session:
        page = evidence_html(session, session.get(Finding, finding_id))
    assert page is not None
    assert "2026-08-31" in page and "2026-08-30" in page  # the homepage's items, with dates
    assert "动态" in page and "2026-08-21" in page  # every column's newest date
    assert "非事后重新访问" in page and "2026-09-30 10:00" in page  # when the crawl saw it


def test_account_evidence_lists_posts_with_dates_not_raw_json(database_url: str) -> None:
    add_posts("quiet", days_before(AS_OF, 20, 25), seen_at=SEEN)
    finding_id = add_finding("ACCOUNT_STALE", "account", "quiet")
    with session_scope() as session:
        page = evidence_html(session, session.get(Finding, finding_id))
    assert page is not None
    assert "2026-09-10 10:00" in page and "2026-09-05 10:00" in page
    assert "\\u" not in page and "{" not in page.split("</style>")[1]


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    app = create_app(users={USER: hash_password(PASSWORD)}, session_secret="test-secret")
    with TestClient(app, base_url="http://testserver") as test_client:
        response = test_client.post(
            "/login",
            data={"username": USER, "password": PASSWORD, "next": "/"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        yield test_client


def test_the_dashboard_renders_a_veto_evidence_page_on_request(client: TestClient) -> None:
    add_posts("quiet", days_before(AS_OF, 20, 25), seen_at=SEEN)
    finding_id = add_finding("ACCOUNT_STALE", "account", "quiet")
    listing = client.get("/findings", params={"status": "all"})
    assert f'href="/findings/{finding_id}/evidence"' in listing.text
    page = client.get(f"/findings/{finding_id}/evidence")
    assert page.status_code == 200
    assert "ACCOUNT_STALE 问题" in page.text and "2026-09-10 10:00" in page.text


def test_a_finding_stored_data_cannot_show_gets_the_note_not_a_page(client: TestClient) -> None:
    finding_id = add_finding("WRONG_EXPRESSION", "site", "s")
    page = client.get(f"/findings/{finding_id}/evidence")
    assert page.status_code == 404 and NO_FAITHFUL_EVIDENCE in page.text
    assert client.get("/findings/999999/evidence").status_code == 404


def test_check_opens_no_browser_and_writes_no_evidence_files(
    govwatch_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    # The settings that used to turn screenshots on, and a "browser" that records
    # being started: the check must not start it.
    started = tmp_path / "browser-started"
    browser = tmp_path / "chromium"
    browser.write_text(f"#!/bin/sh\ntouch {started}\nexit 1\n")
    browser.chmod(0o755)
    monkeypatch.setenv("GOVWATCH_BROWSER_EXECUTABLE", str(browser))
    monkeypatch.setenv("GOVWATCH_SCREENSHOTS", "true")
    monkeypatch.setenv("GOVWATCH_EVIDENCE_DIR", str(tmp_path / "evidence"))
    get_settings.cache_clear()
    today = china_today()
    register_columns({"动态": "news"})
    # The homepage lists nothing newer than 30 days: a veto opens today.
    observe_column("首页", days_before(today, 30, 31), utcnow(), homepage=True)
    result = govwatch_cli("check")
    assert result.returncode == 0, result.stderr
    with session_scope() as session:
        vetoes = [f for f in query_findings(session) if f.severity == "veto"]
    assert vetoes, "the check should have opened a veto"
    assert all(not url.startswith("/") for f in vetoes for url in f.evidence)
    assert not started.exists() and not (tmp_path / "evidence").exists()
    assert "截图" not in result.stdout + result.stderr
