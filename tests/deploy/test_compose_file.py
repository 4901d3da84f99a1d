"""The Docker deployment files: what the README promises of `docker compose up -d`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_and_the_dashboard() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "scheduler", "worker", "web"}
    web = services["web"]
    assert web["command"][:2] == ["govwatch", "serve"]
    assert web["ports"] == ["127.0.0.1:8000:8000"]  # only the local reverse proxy reaches it
    assert web["depends_on"]["scheduler"]["condition"] == "service_healthy"
    # Logins (GOVWATCH_DASHBOARD_USERS, ..._SESSION_SECRET) come from .env.
    assert web["env_file"] == [{"path": ".env", "required": False}]
    assert services["scheduler"]["ports"] == ["127.0.0.1:9108:9108"]


def test_no_default_database_password() -> None:
    services = compose()["services"]
    password = services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?")  # Compose refuses to start without it
    for name in ("scheduler", "worker", "web"):
        url = services[name]["environment"]["GOVWATCH_DATABASE_URL"]
        assert "${POSTGRES_PASSWORD:?" in url and ":-" not in url


def test_a_missing_targets_file_is_not_made_a_directory() -> None:
    mounts = compose()["services"]["scheduler"]["volumes"]
    targets = next(m for m in mounts if isinstance(m, dict) and m["source"] == "./targets.yaml")
    assert targets["read_only"] is True
    assert targets["bind"]["create_host_path"] is False


def test_image_leaves_secrets_and_local_state_out_and_draws_chinese() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv/", "data/", ".env", ".git/", "**/__pycache__/"} <= set(ignored)
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "fonts-wqy-microhei" in dockerfile
    assert "EXPOSE 9108 8000" in dockerfile


def _compose_command() -> list[str] | None:
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, text=True, timeout=60
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip(
            "Docker Compose is not installed here (neither `docker compose` nor docker-compose)"
        )
    env = {**os.environ, "POSTGRES_PASSWORD": "a-test-password"}
    (tmp_path / "targets.yaml").write_text("sites: []\n", encoding="utf-8")
    checked = subprocess.run(
        [
            *command,
            "-f",
            str(ROOT / "docker-compose.yml"),
            "--project-directory",
            str(tmp_path),
            "config",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr
    without_password = {key: value for key, value in env.items() if key != "POSTGRES_PASSWORD"}
    refused = subprocess.run(
        [
            *command,
            "-f",
            str(ROOT / "docker-compose.yml"),
            "--project-directory",
            str(tmp_path),
            "config",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=without_password,
        timeout=120,
    )
    assert refused.returncode != 0 and "POSTGRES_PASSWORD" in refused.stderr
