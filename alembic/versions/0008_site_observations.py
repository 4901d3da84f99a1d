"""site observations: footer identity, search test, new-media directory, structure

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:45:00
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crawl_run_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("observed_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["crawl_run_id"], ["crawl_runs.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("site_observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_site_observations_site_kind_time",
            ["site_id", "kind", "observed_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("site_observations", schema=None) as batch_op:
        batch_op.drop_index("ix_site_observations_site_kind_time")
    op.drop_table("site_observations")
