"""Regenerate the README's samples: docs/sample-report.html, docs/sample-report.md and
the dashboard screenshot docs/dashboard.png, from the fictional sample district
(``govwatch.reports.sample_district``) in a throw-away SQLite database.

    .venv/bin/python docs/make_samples.py

The screenshot uses Debian's Chromium (settings.browser_executable), as the tests do.
"""

from __future__ import annotations

import os
import socket
import sys
import tempfile
import threading
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

USER, PASSWORD = "demo", "demo-password"


def main() -> None:
    """Build the sample database, write both reports, take the screenshot."""
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["GOVWATCH_DATABASE_URL"] = f"sqlite:///{scratch}/sample.db"
        import uvicorn
        from playwright.sync_api import sync_playwright

        from govwatch.reports import build_report, write_report
        from govwatch.reports.sample_district import (
            PERIOD_END,
            PERIOD_START,
            build_sample_district,
        )
        from govwatch.web.app import create_app
        from govwatch.web.auth import hash_password
        from settings import get_settings
        from storage.db import session_scope

        with session_scope() as session:
            build_sample_district(session)
        with session_scope() as session:
            report = build_report(session, PERIOD_START, PERIOD_END)
        for name in ("sample-report.html", "sample-report.md"):
            write_report(report, DOCS / name)
            print(f"wrote {DOCS / name}")

        app = create_app(users={USER: hash_password(PASSWORD)}, session_secret="samples")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
        thread.start()
        settings = get_settings()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=settings.browser_executable, args=settings.browser_args
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(base_url + "/")
                page.fill("#username", USER)
                page.fill("#password", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(base_url + "/")
                page.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)
                page.goto(base_url + "/sites/jiaoyu")
                page.screenshot(path=str(DOCS / "dashboard-site.png"), full_page=True)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            listener.close()
        print(f"wrote {DOCS / 'dashboard.png'} and {DOCS / 'dashboard-site.png'}")


if __name__ == "__main__":
    main()
