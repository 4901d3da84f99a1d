"""page readings

The last reading of each list page a site crawl read, under a key of everything the
reading depends on, so that a page fetched again unchanged is not read again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.String(length=100), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("reading_key", sa.String(length=64), nullable=False),
        sa.Column("listing", sa.Text(), nullable=False),
        sa.Column("read_on", sa.Date(), nullable=False),
        sa.Column("reads_the_day", sa.Boolean(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site_id", "url_hash", name="uq_page_readings_site_url"),
    )


def downgrade() -> None:
    op.drop_table("page_readings")
