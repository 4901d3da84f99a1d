"""long crawled URLs (TEXT, unique by hash) and the process holding a crawl run

Crawled URLs of any length are stored whole: the URL columns become TEXT, and the
unique keys that included a URL (items, articles, link checks) use its SHA-256
(``url_hash``) instead, since PostgreSQL refuses index entries over ~2,700 bytes.
Existing rows get their hash here. ``crawl_runs.holder`` records which process
opened a run, so runs left ``running`` by a dead process can be closed.

SQLite does not enforce VARCHAR lengths, so there the URL columns keep their
declared type (changing it would mean recreating ``site_columns``, which other
tables reference); only PostgreSQL needs the ALTER ... TYPE TEXT.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:59:00
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: (table, old unique constraint on PostgreSQL, new constraint name, its columns)
HASHED = (
    ("items", "uq_items_column_url", "uq_items_column_url_hash", ["column_id", "url_hash"]),
    (
        "link_checks",
        "uq_link_checks_run_url",
        "uq_link_checks_run_url_hash",
        ["crawl_run_id", "url_hash"],
    ),
    ("articles", "articles_url_key", "uq_articles_url_hash", ["url_hash"]),
)

#: URL columns that become TEXT on PostgreSQL.
TEXT_COLUMNS = (
    ("site_columns", "url", False),
    ("fetches", "url", False),
    ("items", "url", False),
    ("account_fetches", "url", False),
    ("posts", "url", False),
    ("probes", "url", False),
    ("probes", "final_url", True),
    ("link_checks", "url", False),
    ("articles", "url", False),
    ("interaction_messages", "url", True),
    ("findings", "subject", False),
)

_BATCH = 1000


def _backfill_hashes(table: str) -> None:
    """Set ``url_hash`` of every existing row (in Python: SQLite has no SHA-256)."""
    connection = op.get_bind()
    rows = sa.table(table, sa.column("id", sa.Integer), sa.column("url", sa.Text))
    hashes = sa.table(table, sa.column("id", sa.Integer), sa.column("url_hash", sa.String))
    last_id = 0
    while True:
        batch = connection.execute(
            sa.select(rows.c.id, rows.c.url)
            .where(rows.c.id > last_id)
            .order_by(rows.c.id)
            .limit(_BATCH)
        ).all()
        if not batch:
            return
        connection.execute(
            sa.update(hashes)
            .where(hashes.c.id == sa.bindparam("row_id"))
            .values(url_hash=sa.bindparam("hash")),
            [
                {
                    "row_id": row_id,
                    "hash": hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest(),
                }
                for row_id, url in batch
            ],
        )
        last_id = batch[-1][0]


def _articles_without_url_unique() -> sa.Table:
    """``articles`` as 0003 made it, minus its unnamed UNIQUE(url) (SQLite copy source)."""
    return sa.Table(
        "articles",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("site_id", sa.String(length=100), sa.ForeignKey("sites.id"), nullable=False),
        sa.Column("column_id", sa.Integer(), sa.ForeignKey("site_columns.id"), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=True),
        sa.Index("ix_articles_fetched", "fetched_at"),
    )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=200), nullable=True))
    if postgresql:
        for table, column, nullable in TEXT_COLUMNS:
            op.alter_column(
                table,
                column,
                type_=sa.Text(),
                existing_type=sa.String(length=2000),
                existing_nullable=nullable,
            )
    for table, old_unique, new_unique, columns in HASHED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("url_hash", sa.String(length=64), nullable=True))
        _backfill_hashes(table)
        copy_from = None if postgresql or table != "articles" else _articles_without_url_unique()
        with op.batch_alter_table(
            table, schema=None, copy_from=copy_from, recreate="auto"
        ) as batch_op:
            batch_op.alter_column("url_hash", existing_type=sa.String(length=64), nullable=False)
            if postgresql or table != "articles":
                batch_op.drop_constraint(old_unique, type_="unique")
            batch_op.create_unique_constraint(new_unique, columns)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, old_unique, new_unique, columns in reversed(HASHED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(new_unique, type_="unique")
            batch_op.drop_column("url_hash")
            # The old key: the same columns with the URL itself in place of its hash.
            batch_op.create_unique_constraint(old_unique, [*columns[:-1], "url"])
    if postgresql:
        for table, column, nullable in TEXT_COLUMNS:
            op.alter_column(
                table,
                column,
                type_=sa.String(length=2000),
                existing_type=sa.Text(),
                existing_nullable=nullable,
            )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_column("holder")
