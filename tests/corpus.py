"""Locate the shared sample corpus (real saved pages) for tests; skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path:
    """<repo>/../shared/corpus, or $GOVWATCH_CORPUS_DIR when set."""
    override = os.environ.get("GOVWATCH_CORPUS_DIR")
    return Path(override) if override else _REPO_ROOT.parent / "shared" / "corpus"


def corpus_path(*parts: str) -> Path:
    """Path of a corpus file; skips the calling test when the file is not there."""
    path = corpus_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(f"sample corpus file not available: {path} (set GOVWATCH_CORPUS_DIR)")
    return path
