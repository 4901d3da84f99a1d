"""findings listing index

The order ``govwatch findings`` and the dashboard list findings in (status, then
target, rule, id), so a listing reads the index in order instead of sorting every
open finding, and a check's per-rule look-up of open findings stays an index range.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:25:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_findings_status_target",
            ["status", "target_type", "target_id", "rule", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_status_target")
