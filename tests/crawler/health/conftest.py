"""Fixtures for the health-checker tests: one test CA per session, small images."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from fakes.sites import TestCA, make_ca
from PIL import Image


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return make_ca(tmp_path_factory.mktemp("test-ca"))


@pytest.fixture(scope="session")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-certs")


@pytest.fixture(scope="session")
def png_bytes() -> bytes:
    """A 64x64 noisy PNG, large enough that cutting it in half breaks the pixel data."""
    noise = random.Random(7)
    image = Image.new("RGB", (64, 64))
    image.putdata([(noise.randrange(256), noise.randrange(256), 0) for _ in range(64 * 64)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
