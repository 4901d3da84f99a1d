"""The dashboard's server-side login sessions.

The session cookie is signed, but a signed cookie alone stays valid until it expires,
even after its user logged out. Each login therefore gets a row here, keyed by the
SHA-256 of a random token the cookie carries (the table never holds a usable token);
logging out deletes the row and the cookie is worthless from then on, in every
dashboard process sharing the database and across restarts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.clock import utcnow
from storage.models import Base


class DashboardSession(Base):
    """One live dashboard login."""

    __tablename__ = "dashboard_sessions"
    __table_args__ = (Index("ix_dashboard_sessions_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex
    user_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
