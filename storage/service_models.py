"""Tables of the monitoring service: crawl leases and sent notifications.

They live apart from ``storage.models`` because only the scheduler writes them; they
share its ``Base`` so one Alembic history covers both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class CrawlLease(Base):
    """Who may crawl one target right now: at most one holder, across scheduler processes.

    A lease is taken in one statement (insert, or take over an expired row), so two
    schedulers on one database never start the same target's crawl twice.
    """

    __tablename__ = "crawl_leases"

    target_type: Mapped[str] = mapped_column(String(20), primary_key=True)  # site | account
    target_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # host:pid:token of the taker
    acquired_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class Notification(Base):
    """One message about one subject to one channel: queued, then sent (or given up).

    ``subject_key`` says what the message is about (``finding:ID:DAY`` for a new veto
    finding, ``digest:DAY`` for the daily digest); with the channel it is unique, which
    is what makes a finding notified once however many cycles or schedulers see it.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("channel", "subject_key", name="uq_notifications_channel_subject"),
        Index("ix_notifications_status", "status", "channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))  # wecom | dingtalk | email
    kind: Mapped[str] = mapped_column(String(20))  # veto | digest
    subject_key: Mapped[str] = mapped_column(String(200))
    finding_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # pending | sending | sent | failed (gave up after the retries)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
