"""The dashboard driven in headless Chromium: log in, filter findings, open a site,
download a report; and pages refuse anyone not logged in.

The app is served by uvicorn on 127.0.0.1 (a port the test binds) in a background
thread, over the sample district checked as of 2026-09-30.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from openpyxl import load_workbook

from govwatch.reports.sample_district import build_sample_district
from govwatch.web.app import create_app
from govwatch.web.auth import hash_password, verify_password
from settings import get_settings
from storage.db import session_scope

USER, PASSWORD = "inspector", "正确的密码-2026"


@pytest.fixture
def dashboard(database_url: str) -> Iterator[str]:
    """The dashboard over the sample district; its base URL."""
    with session_scope() as session:
        build_sample_district(session)
    app = create_app(users={USER: hash_password(PASSWORD)}, session_secret="test-secret")
    # Bound and listening before the server thread starts, so requests queue instead of
    # racing the start-up.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@pytest.fixture
def browser_page(dashboard: str) -> Iterator[object]:
    settings = get_settings()
    if not Path(settings.browser_executable).exists():
        pytest.skip(f"Chromium not installed at {settings.browser_executable}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.browser_executable, args=settings.browser_args
        )
        context = browser.new_context(
            accept_downloads=True, viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()


def _log_in(page, base_url: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.fill("#username", USER)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_password_hashes_verify_and_differ() -> None:
    first, second = hash_password("secret"), hash_password("secret")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("secret", first) and not verify_password("Secret", first)
    assert not verify_password("secret", "not-a-hash")


def test_pages_refuse_anyone_not_logged_in(dashboard: str) -> None:
    for path in (
        "/",
        "/findings?rule=ACCOUNT_STALE",
        "/sites/jiaoyu",
        "/report/download?from=2026-07-01&to=2026-09-30",
    ):
        response = httpx.get(dashboard + path, follow_redirects=False, timeout=30)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")
    forged = httpx.get(
        dashboard + "/",
        cookies={"govwatch_session": "eyJ1c2VyIjogImFkbWluIn0="},
        follow_redirects=False,
    )
    assert forged.status_code == 303  # an unsigned cookie is no login


def test_log_in_filter_open_site_download(browser_page, dashboard: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.goto(dashboard + "/findings")
    assert "/login" in page.url

    _log_in(page, dashboard, password="wrong")
    assert page.locator("[role=alert]").inner_text() == "用户名或密码错误"

    _log_in(page, dashboard)
    page.wait_for_url(dashboard + "/findings")  # back where the login was asked for

    page.goto(dashboard + "/")
    assert page.locator("h1").inner_text() == "总览"
    assert "60.0%" in page.locator(".cards").inner_text()
    vetoes = page.locator("table.findings tbody tr")
    assert vetoes.count() == 2
    assert "仓山教育" in vetoes.all_inner_texts()[0] + vetoes.all_inner_texts()[1]
    assert page.locator("svg").count() == 1

    page.goto(dashboard + "/findings")
    page.select_option("select[name=rule]", "ACCOUNT_LOW_FREQUENCY")
    page.select_option("select[name=unit]", "城门镇")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/findings?*rule=ACCOUNT_LOW_FREQUENCY*")
    rows = page.locator("table.findings tbody tr")
    assert rows.count() == 12
    assert set(rows.evaluate_all("rows => rows.map(r => r.dataset.rule)")) == {
        "ACCOUNT_LOW_FREQUENCY"
    }
    assert page.locator("#finding-count").inner_text().startswith("共 12 条")

    page.goto(dashboard + "/")
    page.click("table.sites >> text=仓山区教育局")
    page.wait_for_url(dashboard + "/sites/jiaoyu")
    assert page.locator("h1").inner_text() == "仓山区教育局"
    assert "不合格" in page.locator("main").inner_text()
    columns = page.locator("table.columns tbody").inner_text()
    assert "工作动态" in columns and "2026-08-17" in columns and "人事信息" in columns
    assert page.locator("table.items tbody tr").first.inner_text().startswith("2026-08-17")
    assert "近12个月各月发布信息数" in (
        page.locator(".chart svg").get_attribute("aria-label") or ""
    )
    assert "首页已44天未更新" in page.locator("table.findings").inner_text()

    page.goto(dashboard + "/report")
    page.fill("input[name=from]", "2026-07-01")
    page.fill("input[name=to]", "2026-09-30")
    with page.expect_download() as download_info:
        page.click("form.filters button[type=submit]")
    download = download_info.value
    assert download.suggested_filename == "govwatch-report-2026-07-01_2026-09-30.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    workbook = load_workbook(saved)
    summary = workbook["检查结果汇总"]
    assert [summary.cell(row=6, column=c).value for c in range(1, 6)] == ["合计", 5, 3, 2, "60.0%"]

    page.click("header button[type=submit]")  # 退出
    page.goto(dashboard + "/")
    assert "/login" in page.url


PAGES = ("/", "/findings", "/sites/jiaoyu", "/accounts/cangshan-fabu", "/report")


@pytest.mark.database_neutral
@pytest.mark.parametrize("width", [1280, 390])
def test_pages_fit_the_screen_desktop_and_phone(
    browser_page, dashboard: str, tmp_path: Path, width: int
) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(dashboard + "/")
    _log_in(page, dashboard)
    page.wait_for_url(dashboard + "/")
    for path in PAGES:
        page.goto(dashboard + path)
        overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        shot = tmp_path / f"{width}{path.replace('/', '_') or '_'}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
        # Wide tables scroll inside themselves; the page itself never scrolls sideways.
        assert overflow[0] <= overflow[1], (path, width, overflow)


def test_site_page_lists_each_article_once_and_names_categories(
    browser_page, dashboard: str
) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.goto(dashboard + "/sites/cangshan")
    _log_in(page, dashboard)
    page.wait_for_url(dashboard + "/sites/cangshan")
    urls = page.locator("table.items tbody a").evaluate_all("links => links.map(a => a.href)")
    assert urls and len(urls) == len(set(urls))
    categories = page.locator("table.columns tbody tr td:nth-child(2)").all_inner_texts()
    assert "homepage" not in categories
    assert set(categories) <= {
        "首页",
        "动态要闻",
        "通知公告",
        "政策文件",
        "人事规划",
        "概况信息",
        "互动交流",
        "其他",
    }


@pytest.mark.database_neutral
def test_unknown_filter_says_so_and_lists_known_values(browser_page, dashboard: str) -> None:  # type: ignore[no-untyped-def]
    page = browser_page
    page.goto(dashboard + "/findings")
    _log_in(page, dashboard)
    page.wait_for_url(dashboard + "/findings")
    response = page.goto(dashboard + "/findings?rule=NOPE")
    assert response is not None and response.status == 400
    error = page.locator("#filter-error").inner_text()
    assert "规则代码 'NOPE': 没有这个规则代码" in error and "COLUMN_STALE" in error
    response = page.goto(dashboard + "/findings?rule=account_low_frequency")
    assert response is not None and response.status == 200
    assert page.locator("select[name=rule]").input_value() == "ACCOUNT_LOW_FREQUENCY"
    assert page.locator("#finding-count").inner_text().startswith("共 ")
