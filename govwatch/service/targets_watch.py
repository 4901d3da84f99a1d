"""Reloading the targets file when it changes, without a restart.

The file is polled (its content hash, read whole: a targets file is small). A
changed, valid file is synced into the registry; a bad one is logged with its
``file:line`` problems and the registry is kept as it was, until the file changes
again.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from govwatch.targets_file import TargetsFileError, read_targets_file
from storage.db import session_scope
from storage.registry import sync_targets

log = logging.getLogger("govwatch.scheduler")


class TargetsWatcher:
    """Loads ``path`` into the registry whenever its content changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.loaded_digest: str | None = None
        self.missing_logged = False

    def poll(self) -> bool:
        """Load the file if it changed; True when the registry was updated."""
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            if not self.missing_logged:
                log.info("targets file %s not found; using what is registered", self.path)
                self.missing_logged = True
            return False
        except OSError as error:
            log.error("targets file %s unreadable: %s", self.path, error)
            return False
        self.missing_logged = False
        digest = hashlib.sha256(content).hexdigest()
        if digest == self.loaded_digest:
            return False
        self.loaded_digest = digest  # a bad file is reported once, not every poll
        try:
            targets = read_targets_file(self.path)
        except TargetsFileError as error:
            log.error("targets file rejected, keeping the registry as it was:\n%s", error)
            return False
        with session_scope() as session:
            summary = sync_targets(session, targets)
        log.info(
            "targets file %s loaded: %d added, %d deactivated",
            self.path,
            len(summary.added),
            len(summary.deactivated),
        )
        return True
