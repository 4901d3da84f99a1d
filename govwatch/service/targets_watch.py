"""Reloading the targets file when it changes, without a restart.

The file is polled (its content hash, read whole: a targets file is small). A
changed, valid file is synced into the registry; a bad one is logged with its
``file:line`` problems and the registry is kept as it was, until the file changes
again. An empty, comments-only or target-less file is a bad file: it would
deactivate every target, and is far more often an editor's half-done save than a
wish to stop monitoring.

A file is read only once it is complete: editors and ``cp`` truncate and then
write, so a poll can land between the two. A change is loaded when the file has
not been modified for ``settle_s`` seconds, or when two polls in a row read the
same content; until then the last good set stays in force. The first read after a
start is loaded at once.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from govwatch.targets_file import TargetsFileError, parse_targets
from storage.db import session_scope
from storage.registry import sync_targets

log = logging.getLogger("govwatch.scheduler")

#: A file untouched this long is complete (no writer is still at it).
SETTLE_S = 2.0


class TargetsWatcher:
    """Loads ``path`` into the registry whenever its content changes."""

    def __init__(self, path: str | Path, settle_s: float = SETTLE_S) -> None:
        self.path = Path(path)
        self.settle_s = settle_s
        self.loaded_digest: str | None = None
        self.seen_digest: str | None = None  # the last content read, loaded or not
        self.rejected_digest: str | None = None
        self.missing_logged = False

    def _read(self) -> bytes | None:
        """The file's bytes, or None (logged once) when there is no file to read."""
        if self.path.is_dir():
            if not self.missing_logged:
                log.error(
                    "targets file %s is a directory, not a file: Docker creates a directory "
                    "when the file to mount does not exist. Remove the directory, put the "
                    "targets file there and restart; using what is registered",
                    self.path,
                )
                self.missing_logged = True
            return None
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            if not self.missing_logged:
                log.info("targets file %s not found; using what is registered", self.path)
                self.missing_logged = True
            return None
        except OSError as error:
            log.error("targets file %s unreadable: %s", self.path, error)
            return None
        self.missing_logged = False
        return content

    def _settled(self, digest: str) -> bool:
        """Whether the content read may be a finished write (see the module docstring)."""
        if self.loaded_digest is None and self.rejected_digest is None:
            # The first read at start-up loads at once: `scheduler.py --once` polls only
            # once, and a file untouched since the last run is complete anyway.
            return True
        if digest == self.seen_digest:
            return True  # the same content on two polls in a row
        try:
            age = time.time() - self.path.stat().st_mtime
        except OSError:
            return False
        return age >= self.settle_s

    def poll(self) -> bool:
        """Load the file if it changed; True when the registry was updated."""
        content = self._read()
        if content is None:
            return False
        digest = hashlib.sha256(content).hexdigest()
        if digest in (self.loaded_digest, self.rejected_digest):
            self.seen_digest = digest
            return False  # unchanged, or a bad file already reported once
        settled = self._settled(digest)
        self.seen_digest = digest
        if not settled:
            log.debug("targets file %s is changing; loading it once complete", self.path)
            return False
        try:
            text = content.decode("utf-8")
            targets = parse_targets(text, str(self.path))
        except UnicodeDecodeError:
            self.rejected_digest = digest
            log.error("targets file %s rejected (not UTF-8), keeping the registry", self.path)
            return False
        except TargetsFileError as error:
            self.rejected_digest = digest
            log.error("targets file rejected, keeping the registry as it was:\n%s", error)
            return False
        with session_scope() as session:
            summary = sync_targets(session, targets)
        self.loaded_digest, self.rejected_digest = digest, None
        log.info(
            "targets file %s loaded: %d added, %d deactivated",
            self.path,
            len(summary.added),
            len(summary.deactivated),
        )
        return True
