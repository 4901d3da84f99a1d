"""Evidence for new veto findings: rendered from what the crawl saw, never fetched again."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest
from observe import add_posts, days_before, observe_column, register_columns
from PIL import Image

from crawler.health.evidence import NO_FAITHFUL_EVIDENCE, capture_veto_evidence, evidence_html
from settings import get_settings
from storage.db import session_scope
from storage.models import Finding

AS_OF = date(2026, 9, 30)
SEEN = datetime(2026, 9, 30, 2)

needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="no Debian chromium")


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


@pytest.fixture
def evidence_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GOVWATCH_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("GOVWATCH_SCREENSHOTS", "true")
    get_settings.cache_clear()
    return tmp_path / "evidence"


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


def test_a_veto_stored_data_cannot_show_gets_a_note_and_no_picture(
    database_url: str, evidence_dir: Path
) -> None:
    finding_id = add_finding("WRONG_EXPRESSION", "site", "s")
    assert capture_veto_evidence([finding_id]) == 0
    with session_scope() as session:
        assert session.get(Finding, finding_id).evidence[-1] == NO_FAITHFUL_EVIDENCE
    assert not evidence_dir.exists() or not any(evidence_dir.iterdir())


def test_without_a_browser_the_evidence_page_is_kept_as_html(
    database_url: str, evidence_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_BROWSER_EXECUTABLE", "/nonexistent/chromium")
    get_settings.cache_clear()
    add_posts("quiet", days_before(AS_OF, 20), seen_at=SEEN)
    finding_id = add_finding("ACCOUNT_STALE", "account", "quiet")
    assert capture_veto_evidence([finding_id]) == 1
    with session_scope() as session:
        kept = Path(session.get(Finding, finding_id).evidence[-1])
    assert kept.suffix == ".html" and kept.parent == evidence_dir
    assert "2026-09-10 10:00" in kept.read_text(encoding="utf-8")


@needs_chromium
def test_veto_gets_a_screenshot_of_stored_data_and_a_deduction_does_not(
    database_url: str, evidence_dir: Path
) -> None:
    register_columns({"动态": "news"})
    observe_column("首页", days_before(AS_OF, 30), SEEN, homepage=True)
    veto = add_finding("HOMEPAGE_NOT_UPDATED", "site", "s")
    deduction = add_finding("HOMEPAGE_FEW_UPDATES", "site", "s", severity="deduction")
    # The site no longer answers (port 9): the picture comes from what the crawl stored.
    assert capture_veto_evidence([veto, deduction]) == 1
    with session_scope() as session:
        shot = Path(session.get(Finding, veto).evidence[-1])
        assert session.get(Finding, deduction).evidence == ["http://127.0.0.1:9/"]
    assert shot.parent == evidence_dir and shot.suffix == ".png"
    with Image.open(shot) as image:
        assert image.size == (1280, 900)
        # Not a blank page: the rendered list has dark text on white.
        assert image.convert("L").getextrema()[0] < 100
