"""Dashboard security (issue 13): login throttling, unknown users refused in the time of
a wrong password, sessions dead after logout, the Secure cookie option, filters that do
not widen, security headers on every response, and crawled links clickable only when
they are http(s).

The app runs in-process through Starlette's TestClient (no server, no browser).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from govwatch.targets_file import parse_targets
from govwatch.web import auth
from govwatch.web.app import SECURITY_HEADERS, create_app
from govwatch.web.auth import hash_password
from settings import get_settings
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import Finding, Site
from storage.registry import sync_targets

USER, PASSWORD = "inspector", "正确的密码-2026"


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    app = create_app(users={USER: hash_password(PASSWORD)}, session_secret="test-secret")
    app.state.login_throttle.clock = FakeClock()
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


def log_in(client: TestClient, user: str = USER, password: str = PASSWORD) -> int:
    response = client.post(
        "/login",
        data={"username": user, "password": password, "next": "/"},
        follow_redirects=False,
    )
    return response.status_code


def add_finding(target_type: str, target_id: str, evidence: list[str] | None = None) -> None:
    now = utcnow()
    with session_scope() as session:
        session.add(
            Finding(
                fingerprint=f"COLUMN_STALE|{target_type}|{target_id}|",
                rule="COLUMN_STALE",
                severity="deduction",
                target_type=target_type,
                target_id=target_id,
                unit=None,
                message=f"{target_id} 栏目已20天未更新",
                evidence=evidence or [],
                first_seen=now,
                last_seen=now,
            )
        )


def test_thirty_wrong_passwords_lock_the_right_one_out(client: TestClient) -> None:
    statuses = [log_in(client, password=f"wrong-{n}") for n in range(30)]
    limit = get_settings().dashboard_login_max_failures
    assert statuses[:limit] == [401] * limit
    assert set(statuses[limit:]) == {429}
    # The right password during the lockout: refused, no session.
    assert log_in(client) == 429
    assert client.get("/", follow_redirects=False).status_code == 303
    # After the lockout window the right password works, and the count starts over.
    clock = client.app.state.login_throttle.clock  # type: ignore[attr-defined]
    clock.now += get_settings().dashboard_login_lockout_s + 1
    assert log_in(client) == 303
    assert client.get("/", follow_redirects=False).status_code == 200


def test_lockout_grows_with_each_failure_after_it() -> None:
    clock = FakeClock()
    throttle = auth.LoginThrottle(max_failures=5, lockout_s=60, clock=clock)
    for _ in range(5):
        throttle.failed("zhangsan", "10.0.0.1")
    assert throttle.retry_after("zhangsan", "10.0.0.1") == 60
    clock.now += 61
    throttle.failed("zhangsan", "10.0.0.1")
    assert throttle.retry_after("zhangsan", "10.0.0.1") == 120
    # The user is locked from any address, and the address for any user.
    assert throttle.retry_after("zhangsan", "10.9.9.9") == 120
    assert throttle.retry_after("lisi", "10.0.0.1") == 120
    assert throttle.retry_after("lisi", "10.9.9.9") == 0


def test_failures_are_counted_per_client_address(client: TestClient) -> None:
    limit = get_settings().dashboard_login_max_failures
    # One address trying many names (password spraying) is locked out too.
    statuses = [log_in(client, user=f"user{n}", password="123456") for n in range(limit + 3)]
    assert statuses[-1] == 429
    assert log_in(client) == 429


def test_unknown_user_costs_one_scrypt_like_a_wrong_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users = {USER: hash_password(PASSWORD)}
    auth._dummy_hash()  # made once per process, before any login
    calls: list[str] = []
    real_scrypt = auth.hashlib.scrypt

    def counting_scrypt(password: bytes, **kwargs: object) -> bytes:
        calls.append(f"n={kwargs['n']} r={kwargs['r']} p={kwargs['p']}")
        return real_scrypt(password, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(auth.hashlib, "scrypt", counting_scrypt)
    assert not auth.authenticate(users, USER, "wrong")
    wrong_password = list(calls)
    calls.clear()
    assert not auth.authenticate(users, "nobody", "wrong")
    assert calls == wrong_password  # the same work: one scrypt, same parameters
    assert len(calls) == 1


def test_logout_revokes_the_session_cookie(client: TestClient) -> None:
    assert log_in(client) == 303
    stolen = client.cookies.get("govwatch_session")
    assert stolen
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.post("/logout", follow_redirects=False).status_code == 303
    # Replaying the cookie captured before logout opens nothing.
    client.cookies.set("govwatch_session", stolen)
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_secure_cookie_option(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def set_cookie_header(secure: bool) -> str:
        monkeypatch.setenv("GOVWATCH_DASHBOARD_COOKIE_SECURE", "true" if secure else "false")
        get_settings.cache_clear()
        app = create_app(users={USER: hash_password(PASSWORD)}, session_secret="s")
        with TestClient(app, base_url="https://testserver") as test_client:
            response = test_client.post(
                "/login",
                data={"username": USER, "password": PASSWORD, "next": "/"},
                follow_redirects=False,
            )
        assert response.status_code == 303
        return response.headers["set-cookie"].lower()

    assert "; secure" not in set_cookie_header(False)  # the default: plain HTTP works
    header = set_cookie_header(True)
    assert "; secure" in header and "httponly" in header and "samesite=lax" in header


def test_site_filter_is_not_widened_by_like_wildcards(client: TestClient) -> None:
    for target_type, target_id in (
        ("site", "a_b"),
        ("column", "a_b/要闻"),
        ("site", "axb"),
        ("column", "axb/要闻"),
        ("column", "a%b/要闻"),
    ):
        add_finding(target_type, target_id)
    with session_scope() as session:
        # Registered directly: the targets file would refuse "%" in an id, but the query
        # must not widen whatever the registry holds.
        for site_id in ("a_b", "axb", "a%b"):
            session.add(
                Site(id=site_id, name=site_id, url=f"http://{site_id.replace('%', 'p')}.gov.cn/")
            )
    assert log_in(client) == 303

    def listed(query: str) -> set[str]:
        page = client.get(f"/findings?{query}").text
        return set(re.findall(r"(a[_x%]b(?:/要闻)?) 栏目已20天未更新", page))

    assert listed("site=a_b") == {"a_b", "a_b/要闻"}
    assert listed("site=axb") == {"axb", "axb/要闻"}
    assert listed("site=%25") == set()
    assert listed("site=a%25b") == {"a%b/要闻"}
    assert listed("site=_") == set()


def test_security_headers_on_every_response(client: TestClient) -> None:
    responses = [
        client.get("/login"),
        client.get("/", follow_redirects=False),  # a redirect to the login
        client.get("/static/nothing"),  # a 404
        client.post("/login", data={"username": "x", "password": "y"}),
    ]
    assert log_in(client) == 303
    responses += [client.get("/"), client.get("/findings"), client.get("/sites/none")]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.url, name)
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy  # no script at all
    assert "frame-ancestors 'none'" in policy
    for response in responses:
        assert "<script" not in response.text.lower()


HOSTILE_LINKS = (
    "javascript:alert(document.cookie)",
    " JavaScript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
)


def test_only_http_links_are_clickable_whatever_is_stored(client: TestClient) -> None:
    targets = """
sites:
  - id: s1
    name: 测试县人民政府
    url: http://www.s1.example.gov.cn/
    columns:
      - {name: 要闻, url: 'http://www.s1.example.gov.cn/yw/', category: news}
"""
    with session_scope() as session:
        sync_targets(session, parse_targets(targets, "t.yaml"))
    _store_items(
        [(f"恶意链接{n}", url, date(2026, 9, n + 1)) for n, url in enumerate(HOSTILE_LINKS)]
        + [("正常链接", "https://www.s1.example.gov.cn/yw/1.html", date(2026, 9, 20))]
    )
    add_finding("site", "s1", evidence=[*HOSTILE_LINKS, "http://www.s1.example.gov.cn/"])
    assert log_in(client) == 303
    for path in ("/sites/s1", "/findings?site=s1"):
        page = client.get(path).text
        hrefs = re.findall(r'href="([^"]*)"', page)
        assert hrefs, path
        for href in hrefs:
            assert href.startswith(("/", "http://", "https://")), (path, href)
        assert "javascript:" not in page.lower() and "data:text" not in page
    site_page = client.get("/sites/s1").text
    assert 'href="https://www.s1.example.gov.cn/yw/1.html"' in site_page
    assert "恶意链接0" in site_page  # the title is still shown, as plain text


def _store_items(items: list[tuple[str, str, date]]) -> None:
    """Items of column s1/要闻 as a crawl would store them (bypassing the crawler's
    own scheme check, which is what this test is about: the page must hold anyway)."""
    from sqlalchemy import select

    from storage.models import Item, SiteColumn

    now = utcnow()
    with session_scope() as session:
        column = session.scalars(select(SiteColumn).where(SiteColumn.name == "要闻")).one()
        for title, url, published_on in items:
            session.add(
                Item(
                    column_id=column.id,
                    url=url,
                    title=title,
                    published_on=published_on,
                    first_seen_at=now,
                    last_seen_at=now,
                )
            )
