"""What a new discovery changed against the registry: columns added, moved (same name,
new address; or same address, new name) and gone. Pure comparison, plus the read of
the registered columns."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from govwatch.discovery.site import same_page
from storage.models import SiteColumn


@dataclass(frozen=True, slots=True)
class ColumnChange:
    """One column's change; ``old_url``/``old_name`` for a move or a rename."""

    name: str
    url: str
    old_url: str | None = None
    old_name: str | None = None

    def as_dict(self) -> dict[str, str]:
        """For storage and JSON output."""
        data = {"name": self.name, "url": self.url}
        if self.old_url:
            data["old_url"] = self.old_url
        if self.old_name:
            data["old_name"] = self.old_name
        return data


@dataclass
class StructureDiff:
    """A site's column changes."""

    added: list[ColumnChange] = field(default_factory=list)
    moved: list[ColumnChange] = field(default_factory=list)
    gone: list[ColumnChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not (self.added or self.moved or self.gone)

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        """For storage (the SITE_STRUCTURE_CHANGED observation)."""
        return {
            "added": [change.as_dict() for change in self.added],
            "moved": [change.as_dict() for change in self.moved],
            "gone": [change.as_dict() for change in self.gone],
        }


def diff_columns(registered: dict[str, str], discovered: dict[str, str]) -> StructureDiff:
    """Compare name -> URL maps: the registry's columns and the discovery's."""
    diff = StructureDiff()
    matched_registered: set[str] = set()
    for name, url in discovered.items():
        if name in registered:
            matched_registered.add(name)
            if not same_page(url, registered[name]):
                diff.moved.append(ColumnChange(name, url, old_url=registered[name]))
            continue
        renamed = next(
            (
                old
                for old, old_url in registered.items()
                if old not in discovered and same_page(url, old_url)
            ),
            None,
        )
        if renamed is not None:
            matched_registered.add(renamed)
            diff.moved.append(ColumnChange(name, url, old_name=renamed))
        else:
            diff.added.append(ColumnChange(name, url))
    for name, url in registered.items():
        if name not in matched_registered:
            diff.gone.append(ColumnChange(name, url))
    return diff


def registered_columns(session: Session, site_id: str) -> dict[str, str]:
    """The site's active columns from the targets file (not homepage, not ad hoc)."""
    rows = session.execute(
        select(SiteColumn.name, SiteColumn.url).where(
            SiteColumn.site_id == site_id,
            SiteColumn.active.is_(True),
            SiteColumn.origin == "registered",
        )
    )
    return dict(rows.all())
