"""`govwatch serve` settings: users from GOVWATCH_DASHBOARD_USERS, and no users, no dashboard."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from govwatch.web.auth import authenticate, hash_password
from settings import Settings


def test_users_come_from_json_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = hash_password("口令")
    monkeypatch.setenv("GOVWATCH_DASHBOARD_USERS", json.dumps({"zhangsan": stored}))
    users = Settings().dashboard_users
    assert users == {"zhangsan": stored}
    assert authenticate(users, "zhangsan", "口令")
    assert not authenticate(users, "lisi", "口令")


@pytest.mark.database_neutral
def test_serve_refuses_to_start_without_users(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "govwatch.cli", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env={"GOVWATCH_DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        cwd=Path(__file__).resolve().parents[3],
        timeout=300,  # a bound against hangs: start-up takes minutes on a loaded machine
    )
    assert done.returncode == 2
    assert "未配置看板用户" in done.stderr
