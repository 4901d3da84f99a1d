"""Screenshots attached to new veto findings (Debian's Chromium, pages on 127.0.0.1)."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from fakes.sites import FakeResponse, FakeSite, html_page
from PIL import Image

from crawler.health.evidence import capture_veto_evidence
from settings import get_settings
from storage.db import session_scope
from storage.models import Finding

pytestmark = pytest.mark.skipif(shutil.which("chromium") is None, reason="no Debian chromium")


def add_finding(url: str, severity: str) -> int:
    with session_scope() as session:
        finding = Finding(
            fingerprint=f"X|site|s|{severity}",
            rule="HOMEPAGE_NOT_UPDATED",
            severity=severity,
            target_type="site",
            target_id="s",
            message="首页不更新",
            evidence=[url],
            first_seen=datetime(2026, 1, 1),
            last_seen=datetime(2026, 1, 1),
        )
        session.add(finding)
        session.flush()
        return finding.id


def test_veto_gets_a_screenshot_and_a_deduction_does_not(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_EVIDENCE_DIR", str(tmp_path / "evidence"))
    monkeypatch.setenv("GOVWATCH_SCREENSHOTS", "true")
    get_settings.cache_clear()
    with FakeSite({"/": FakeResponse(body=html_page("首页", "<h1>示范县人民政府</h1>"))}) as site:
        veto = add_finding(site.url("/"), "veto")
        deduction = add_finding(site.url("/"), "deduction")
        assert capture_veto_evidence([veto, deduction]) == 1
    with session_scope() as session:
        shot = Path(session.get(Finding, veto).evidence[-1])
        assert session.get(Finding, deduction).evidence == [site.url("/")]
    assert shot.parent == tmp_path / "evidence"
    with Image.open(shot) as image:
        assert image.size == (1280, 900)
