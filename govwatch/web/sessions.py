"""Dashboard login sessions kept in the database, so that logging out revokes them.

The signed cookie carries a random token; ``dashboard_sessions`` holds its SHA-256,
the user and the expiry. A page is served only while that row exists and has not
expired; logout deletes it.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from govwatch.web.auth import new_session_token, session_token_hash
from storage.clock import utcnow
from storage.db import session_scope
from storage.web_models import DashboardSession


def start_session(user_name: str, max_age_s: int) -> str:
    """Record a new login; the token for the cookie. Expired logins are dropped."""
    token, token_hash = new_session_token()
    now = utcnow()
    with session_scope() as session:
        session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))
        session.add(
            DashboardSession(
                token_hash=token_hash,
                user_name=user_name,
                created_at=now,
                expires_at=now + timedelta(seconds=max_age_s),
            )
        )
    return token


def session_user(token: str) -> str | None:
    """The user of a live login token, or None (unknown, logged out or expired)."""
    with session_scope() as session:
        return session.scalar(
            select(DashboardSession.user_name).where(
                DashboardSession.token_hash == session_token_hash(token),
                DashboardSession.expires_at > utcnow(),
            )
        )


def end_session(token: str) -> None:
    """Revoke a login token: the cookie holding it no longer opens any page."""
    with session_scope() as session:
        session.execute(
            delete(DashboardSession).where(DashboardSession.token_hash == session_token_hash(token))
        )
