"""The database schema: what is registered, what was seen, and what is wrong.

Registry tables (units, sites, site_columns, accounts) mirror the targets file.
Observation tables (crawl_runs, fetches, items) record what the crawlers saw and are
only ever appended to or upserted. Findings are what the monitor concluded from the
observations. Every timestamp is naive UTC (``storage.clock.utcnow``); published dates
are the local (China) calendar dates the pages state.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.clock import to_china_day, utcnow

#: Name of the pseudo-column that holds a site's homepage items (origin "homepage").
HOMEPAGE_COLUMN_NAME = "首页"


class Base(DeclarativeBase):
    """Declarative base of every govwatch table."""


def url_hash(url: str) -> str:
    """The SHA-256 of a URL (hex): what makes crawled URLs of any length unique.

    Crawled URLs are stored whole as TEXT; a unique index on the text itself fails
    on PostgreSQL past about 2,700 bytes, so uniqueness is kept on this instead.
    """
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def _url_hash_default(context: Any) -> str:
    """Column default: the hash of the row's ``url`` (rows added through the ORM)."""
    return url_hash(context.get_current_parameters()["url"])


class Unit(Base):
    """A responsible unit (单位): a town, a street office, a department."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(50), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Site(Base):
    """A government website registered in the targets file."""

    __tablename__ = "sites"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    site_code: Mapped[str | None] = mapped_column(String(40))
    discover_columns: Mapped[bool] = mapped_column(Boolean, default=False)
    # A site removed from the targets file is deactivated, never deleted, so its
    # history and findings stay queryable.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    columns: Mapped[list[SiteColumn]] = relationship(back_populates="site")


class SiteColumn(Base):
    """A column (栏目) of a site: one list of items that must be kept up to date."""

    __tablename__ = "site_columns"
    __table_args__ = (UniqueConstraint("site_id", "name", name="uq_site_columns_site_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    category: Mapped[str] = mapped_column(String(20), default="other")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    render: Mapped[str] = mapped_column(String(10), default="static")
    selectors: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(20), default="registered")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    site: Mapped[Site] = relationship(back_populates="columns")
    unit: Mapped[Unit | None] = relationship()

    @property
    def target_id(self) -> str:
        """The id findings use for a column: ``SITEID/column name``."""
        return f"{self.site_id}/{self.name}"


class Account(Base):
    """A government new-media account (政务新媒体) registered in the targets file."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    platform: Mapped[str] = mapped_column(String(20))
    uid: Mapped[str | None] = mapped_column(String(200))
    feed: Mapped[str | None] = mapped_column(String(2000))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()


class CrawlRun(Base):
    """One crawl of one target: when it ran, how it ended, what it fetched."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_target", "target_type", "target_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(20))  # site | account
    target_id: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running | ok | partial (some pages failed) | failed (nothing could be read)
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    pages_failed: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str] = mapped_column(Text, default="")
    # host:pid:start-ticks of the process that opened the run, so a run left
    # ``running`` by a process that died can be told from one still going.
    holder: Mapped[str | None] = mapped_column(String(200))


class Fetch(Base):
    """The outcome of fetching one page (homepage or column list page) in a crawl run."""

    __tablename__ = "fetches"
    __table_args__ = (
        Index("ix_fetches_column_time", "column_id", "fetched_at"),
        Index("ix_fetches_site_time", "site_id", "page_kind", "fetched_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    column_id: Mapped[int | None] = mapped_column(ForeignKey("site_columns.id"))
    page_kind: Mapped[str] = mapped_column(String(20))  # homepage | column
    url: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    http_status: Mapped[int | None] = mapped_column(Integer)
    # ok | http_error | timeout | dns | refused | tls | login_wall | unparsed | other
    error_class: Mapped[str] = mapped_column(String(20), default="ok")
    error_detail: Mapped[str] = mapped_column(Text, default="")
    # ok | empty | unparsed; None where the page was not read
    list_status: Mapped[str | None] = mapped_column(String(20))
    items_found: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def succeeded(self) -> bool:
        """Whether the page was read well enough to judge what it lists."""
        return self.error_class == "ok"


class Item(Base):
    """One entry of a column's list (one row per column and URL, however often seen)."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("column_id", "url_hash", name="uq_items_column_url_hash"),
        Index("ix_items_column_published", "column_id", "published_on"),
        # ITEM_BACKDATED asks which items a column listed around a given crawl.
        Index("ix_items_column_first_seen", "column_id", "first_seen_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("site_columns.id"))
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), default=_url_hash_default)
    title: Mapped[str] = mapped_column(Text)
    published_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    first_fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"))


class Finding(Base):
    """One problem on one target, kept across checks (opened, refreshed, resolved)."""

    __tablename__ = "findings"
    __table_args__ = (
        Index("ix_findings_status_rule", "status", "rule"),
        Index("ix_findings_target", "target_type", "target_id"),
        # The listing order (govwatch findings, the dashboard): read in order, not sorted.
        Index("ix_findings_status_target", "status", "target_type", "target_id", "rule", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # rule|target_type|target_id|subject: the identity that makes a finding the same
    # problem from one check to the next.
    fingerprint: Mapped[str] = mapped_column(String(1000), unique=True)
    rule: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str] = mapped_column(String(20))  # veto | deduction | info
    points: Mapped[float] = mapped_column(Float, default=0.0)
    target_type: Mapped[str] = mapped_column(String(20))  # site | column | account | unit
    target_id: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | resolved
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def first_seen_day(self) -> date:
        """The China day the problem was first seen (the day people read, and judging uses)."""
        return to_china_day(self.first_seen)


class AccountFetch(Base):
    """The outcome of reading one page of an account's timeline in a crawl run."""

    __tablename__ = "account_fetches"
    __table_args__ = (Index("ix_account_fetches_account_time", "account_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    url: Mapped[str] = mapped_column(Text)
    page_number: Mapped[int] = mapped_column(Integer, default=1)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    http_status: Mapped[int | None] = mapped_column(Integer)
    # ok | blocked | timeout | dns | refused | tls | other
    error_class: Mapped[str] = mapped_column(String(20), default="ok")
    # login_wall | captcha | rate_limited | not_found | unparseable | http_error
    block_reason: Mapped[str | None] = mapped_column(String(20))
    error_detail: Mapped[str] = mapped_column(Text, default="")
    posts_found: Mapped[int] = mapped_column(Integer, default=0)
    # The timeline is complete from this day on (the oldest post read when the crawl
    # stopped at the judging window); None on pages that did not end the crawl.
    complete_from: Mapped[date | None] = mapped_column(Date)


class Post(Base):
    """One post of a new-media account (one row per account and platform post id)."""

    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("account_id", "platform_post_id", name="uq_posts_account_post"),
        Index("ix_posts_account_published", "account_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    platform_post_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC
    published_on: Mapped[date] = mapped_column(Date)  # the China calendar day
    has_images: Mapped[bool] = mapped_column(Boolean, default=False)
    has_video: Mapped[bool] = mapped_column(Boolean, default=False)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Probe(Base):
    """One availability probe of a site's homepage (httpx, not a crawl)."""

    __tablename__ = "probes"
    __table_args__ = (Index("ix_probes_site_time", "site_id", "probed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(Text)
    probed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    # ok | timeout | dns | refused | tls | http_5xx | http_4xx | error_page | other
    error_class: Mapped[str] = mapped_column(String(20))
    http_status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text, default="")


class LinkCheck(Base):
    """A link or image found on a site's pages in one crawl run, and whether it opened."""

    __tablename__ = "link_checks"
    __table_args__ = (
        UniqueConstraint("crawl_run_id", "url_hash", name="uq_link_checks_run_url_hash"),
        Index("ix_link_checks_site_time", "site_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), default=_url_hash_default)
    kind: Mapped[str] = mapped_column(String(10))  # link | image
    found_on: Mapped[list[str]] = mapped_column(JSON, default=list)  # pages that show it
    on_homepage: Mapped[bool] = mapped_column(Boolean, default=False)
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    problem: Mapped[str | None] = mapped_column(String(30))
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")


class SiteCheck(Base):
    """A site-level technical check (IPv6, TLS certificate) at one moment."""

    __tablename__ = "site_checks"
    __table_args__ = (Index("ix_site_checks_site_kind_time", "site_id", "kind", "checked_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(20))  # ipv6 | tls
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    problem: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    evidence_path: Mapped[str | None] = mapped_column(String(1000))


class Article(Base):
    """The text of a newly listed article, kept for the wording check (one row per URL)."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_fetched", "fetched_at"),
        UniqueConstraint("url_hash", name="uq_articles_url_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), default=_url_hash_default)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    column_id: Mapped[int | None] = mapped_column(ForeignKey("site_columns.id"))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    fetched_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PageReading(Base):
    """The last reading of a site's list page, kept so that a page fetched again byte for
    byte unchanged is not read again (crawler/listing_cache.py). One row per page URL."""

    __tablename__ = "page_readings"
    __table_args__ = (UniqueConstraint("site_id", "url_hash", name="uq_page_readings_site_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    url: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), default=_url_hash_default)
    reading_key: Mapped[str] = mapped_column(String(64))  # crawler.listing_cache.reading_key
    listing: Mapped[str] = mapped_column(Text)  # crawler.extract.listing_json
    read_on: Mapped[date] = mapped_column(Date)
    reads_the_day: Mapped[bool] = mapped_column(Boolean)
    stored_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class InteractionMessage(Base):
    """A message (留言/咨询) listed by an interaction column, and whether it was answered."""

    __tablename__ = "interaction_messages"
    __table_args__ = (
        UniqueConstraint("column_id", "message_key", name="uq_interaction_messages_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("site_columns.id"))
    message_key: Mapped[str] = mapped_column(String(2000))  # its URL, else title and date
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    asked_on: Mapped[date | None] = mapped_column(Date)
    answered_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))  # answered | unanswered | unknown
    first_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SiteObservation(Base):
    """Something seen on a site besides its lists, for rules that must not fetch: the
    homepage footer's identity marks, the site-search test, the 政务新媒体 directory's
    accounts (site crawls), and the column structure (the monthly discovery)."""

    __tablename__ = "site_observations"
    __table_args__ = (
        Index("ix_site_observations_site_kind_time", "site_id", "kind", "observed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    site_id: Mapped[str] = mapped_column(ForeignKey("sites.id"))
    kind: Mapped[str] = mapped_column(String(30))  # identity | search | media_directory | structure
    observed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # False: it could not be observed (page failed, no directory found): not judged.
    ok: Mapped[bool] = mapped_column(Boolean)
    url: Mapped[str] = mapped_column(String(2000), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    detail: Mapped[str] = mapped_column(Text, default="")
