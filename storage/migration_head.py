"""The newest schema revision, read from the Alembic revision files' text.

Kept apart from :mod:`storage.db` because it imports nothing but the standard
library: ``govwatch findings`` on SQLite checks that a database is at this revision
without importing SQLAlchemy or Alembic (issue 17).
"""

from __future__ import annotations

import re
from pathlib import Path

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"

#: ``revision = "0008"`` / ``down_revision = "0007"`` lines of a revision file (with or
#: without a type annotation); a merge revision's ``down_revision`` is a tuple.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")


def script_head() -> str | None:
    """The single head revision, read from the revision files' text; None if unclear.

    Importing Alembic and loading every revision module costs more than a small
    command's own work (issue 17), so a database already at this head is not handed
    to Alembic at all. Anything this reading cannot decide (a file without a plain
    ``revision = "…"`` line, several heads) returns None and Alembic decides.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (ALEMBIC_DIR / "versions").glob("*.py"):
        found = dict(
            (name, value) for name, value in _REVISION_LINE.findall(path.read_text("utf-8"))
        )
        revision = _QUOTED.fullmatch(found.get("revision", "").strip())
        if revision is None or "down_revision" not in found:
            return None
        revisions.add(revision.group(1))
        parents.update(_QUOTED.findall(found["down_revision"]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
