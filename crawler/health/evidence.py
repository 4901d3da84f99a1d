"""Screenshots of the pages behind new veto findings, kept as evidence for the notice.

An office publicly criticised for a veto will ask "show me": a dated screenshot of
the page (or of the browser's error page, for a site that does not open) answers.
Chromium is Debian's, launched with the flags this machine needs; the screenshot's
path is appended to the finding's evidence.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from settings import get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Finding

log = logging.getLogger(__name__)


async def _capture(targets: list[tuple[int, str]], out_dir: Path) -> dict[int, Path]:
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    settings = get_settings()
    taken: dict[int, Path] = {}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=settings.browser_executable, args=list(settings.browser_args)
        )
        try:
            context = await browser.new_context(
                ignore_https_errors=True,
                viewport={"width": 1280, "height": 900},
                user_agent=settings.user_agent,  # govwatch names itself, not HeadlessChrome
            )
            for finding_id, url in targets:
                page = await context.new_page()
                path = out_dir / f"finding-{finding_id}-{utcnow():%Y%m%dT%H%M%S}.png"
                try:
                    await page.goto(url, timeout=int(settings.probe_timeout_s * 1000))
                except PlaywrightError as error:
                    # A page that does not open is the evidence: shoot the error page.
                    log.info("evidence page %s did not open: %s", url, error)
                try:
                    await page.screenshot(path=str(path), full_page=False)
                    taken[finding_id] = path
                except PlaywrightError as error:
                    log.warning("no screenshot of %s: %s", url, error)
                finally:
                    await page.close()
        finally:
            await browser.close()
    return taken


def capture_veto_evidence(finding_ids: Sequence[int]) -> int:
    """Screenshot the first evidence URL of each open veto finding among ``finding_ids``.

    Returns how many screenshots were attached. Does nothing when screenshots are off
    or the browser is missing; never raises for a page that fails.
    """
    settings = get_settings()
    if not finding_ids or not settings.screenshots:
        return 0
    if not Path(settings.browser_executable).exists():
        log.warning("screenshots skipped: no browser at %s", settings.browser_executable)
        return 0
    with session_scope() as session:
        findings = session.scalars(
            select(Finding).where(
                Finding.id.in_(list(finding_ids)),
                Finding.severity == "veto",
                Finding.status == "open",
            )
        ).all()
        targets = [
            (finding.id, finding.evidence[0])
            for finding in findings
            if finding.evidence and str(finding.evidence[0]).startswith(("http://", "https://"))
        ]
    if not targets:
        return 0
    out_dir = Path(settings.evidence_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        taken = asyncio.run(_capture(targets, out_dir))
    except Exception as error:  # the browser itself failed: findings stand without pictures
        log.warning("screenshots failed: %s", error)
        return 0
    with session_scope() as session:
        for finding_id, path in taken.items():
            finding = session.get(Finding, finding_id)
            if finding is not None:
                finding.evidence = [*finding.evidence, str(path.resolve())]
    return len(taken)
