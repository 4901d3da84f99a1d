"""Locate the sample corpus (real saved pages, tests/fixtures/corpus/) for tests.

The pages the tests read live in the repository, with their sources and licenses in
tests/fixtures/corpus/MANIFEST.md, so a fresh clone runs every corpus test.
$GOVWATCH_CORPUS_DIR points the tests at another copy (e.g. a larger collection).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parent / "fixtures" / "corpus"


def corpus_dir() -> Path:
    """tests/fixtures/corpus, or $GOVWATCH_CORPUS_DIR when set."""
    override = os.environ.get("GOVWATCH_CORPUS_DIR")
    return Path(override) if override else CORPUS_DIR


def corpus_path(*parts: str) -> Path:
    """Path of a corpus file; skips the calling test, saying which file, when it is absent.

    Only a $GOVWATCH_CORPUS_DIR lacking a file can skip: the repository's copy has every
    file a test names.
    """
    path = corpus_dir().joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"corpus file {'/'.join(parts)} is not in {corpus_dir()} "
            "(GOVWATCH_CORPUS_DIR points at a copy without it)"
        )
    return path
