"""Link and image checker: finds the broken links and images that cost inspection points.

`check_urls` checks each distinct URL a crawl saw (``crawler/health/page_links.py``
collects them) once with httpx, politely (per-host concurrency and delay), and returns a LinkCheck per URL.

How links are requested (HEAD or GET):
- A link whose path ends in an attachment extension (.pdf, .doc, .zip, images, video...) is
  checked with HEAD, so attachments are never downloaded. If HEAD is refused (400/403/405/501
  or the server drops the connection) a GET is sent instead and its body is not read. If the
  HEAD answer turns out to be HTML (typically an attachment redirected to a friendly error
  page) a GET follows, because a soft 404 can only be seen in the body.
- Every other link is probably an HTML page, and a soft 404 ("页面不存在" served with 200)
  needs the body, so it gets a single GET whose body is read only up to 4 KB (or fully when
  the server says it is small, which keeps the connection reusable). HEAD first would cost a
  second request for almost every page link.
Images are always fetched with GET (at most `max_image_bytes`) and decoded with Pillow.
Redirects are followed hop by hop so every hop goes through its own host's politeness gate.
TLS verification is off: certificate problems are reported by tls.py, not as broken links.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urldefrag, urlsplit

import httpx
import lxml.etree
from PIL import Image, UnidentifiedImageError

from crawler.health.soft_error import (
    SNIFF_BYTES,
    error_page_url_reason,
    is_html_content_type,
    soft_error_reason,
)
from crawler.health.transport import classify_exception, describe_exception, make_client

logger = logging.getLogger(__name__)

LinkProblem = Literal[
    "http_error",
    "dns",
    "refused",
    "timeout",
    "tls",
    "soft_404",
    "empty_body",
    "not_an_image",
    "undecodable_image",
]
LinkKind = Literal["link", "image"]


@dataclass(frozen=True, slots=True)
class LinkCheck:
    url: str
    kind: LinkKind
    ok: bool
    problem: LinkProblem | None
    http_status: int | None  # status of the last response in the redirect chain
    detail: str
    external: bool  # host not among the site's own hosts


MAX_REDIRECTS = 10
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# Bodies announced this small are read to the end so the connection goes back to the pool.
_READ_WHOLE_BELOW = 64 * 1024
_HEAD_REFUSED_STATUSES = frozenset({400, 403, 405, 501})
_ATTACHMENT_EXTENSIONS = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps", "ofd", "ceb", "rtf"}
    | {"txt", "csv", "zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "exe", "msi", "apk"}
    | {"dmg", "iso", "mp3", "wav", "wma", "mp4", "avi", "flv", "wmv", "mov", "mkv", "m4v", "swf"}
    | {"jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "tif", "tiff"}
)


# --- checking -----------------------------------------------------------------------------


class _HostGate:
    """Per-host concurrency limit plus a minimum interval between request starts."""

    def __init__(self, concurrency: int, delay_s: float) -> None:
        self._semaphore = asyncio.Semaphore(concurrency)
        self._delay_s = delay_s
        self._next_start = 0.0
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> None:
        await self._semaphore.acquire()
        if self._delay_s <= 0:
            return
        try:
            async with self._lock:
                now = time.monotonic()
                wait_s = max(0.0, self._next_start - now)
                self._next_start = max(now, self._next_start) + self._delay_s
            if wait_s:
                await asyncio.sleep(wait_s)  # politeness delay, not a synchronisation wait
        except BaseException:
            self._semaphore.release()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self._semaphore.release()


@dataclass(slots=True)
class _Budget:
    """Network time left for one URL; time spent queueing for a gate is not charged."""

    remaining_s: float


@dataclass(slots=True)
class _Outcome:
    final_url: str
    status: int | None = None
    content_type: str | None = None
    body: bytes = b""
    body_truncated: bool = False
    redirected: bool = False
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)


def _host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _looks_like_attachment(url: str) -> bool:
    path = urlsplit(url).path
    last = path.rsplit("/", 1)[-1]
    return "." in last and last.rsplit(".", 1)[-1].lower() in _ATTACHMENT_EXTENSIONS


class _Checker:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        site_hosts: set[str],
        per_host_concurrency: int,
        per_host_delay_s: float,
        timeout_s: float,
        total_concurrency: int,
        max_image_bytes: int,
    ) -> None:
        self._client = client
        self._site_hosts = {host.lower() for host in site_hosts}
        self._per_host_concurrency = max(1, per_host_concurrency)
        self._per_host_delay_s = per_host_delay_s
        self._timeout_s = timeout_s
        self._in_flight = asyncio.Semaphore(max(1, total_concurrency))
        self._gates: dict[str, _HostGate] = {}
        self._max_image_bytes = max_image_bytes

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = _HostGate(self._per_host_concurrency, self._per_host_delay_s)
            self._gates[host] = gate
        return gate

    def is_external(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        return host not in self._site_hosts and parts.netloc.lower() not in self._site_hosts

    async def _read(self, response: httpx.Response, limit: int) -> tuple[bytes, bool]:
        """Up to `limit` bytes of the body and whether more was left unread."""
        collected = bytearray()
        async for chunk in response.aiter_bytes():
            collected += chunk
            if len(collected) > limit:
                return bytes(collected[:limit]), True
        return bytes(collected), False

    async def _follow(self, url: str, method: str, read_limit: int, budget: _Budget) -> _Outcome:
        """Send `method` to `url`, following redirects hop by hop; read at most read_limit."""
        outcome = _Outcome(final_url=url)
        request = self._client.build_request(method, url)
        for _hop in range(MAX_REDIRECTS + 1):
            outcome.final_url = str(request.url)
            async with self._gate(request.url.host.lower()), self._in_flight:
                started = time.monotonic()
                try:
                    async with asyncio.timeout(max(budget.remaining_s, 0.001)):
                        response = await self._client.send(request, stream=True)
                        try:
                            next_request = response.next_request
                            outcome.status = response.status_code
                            outcome.content_type = response.headers.get("content-type")
                            wants_body = next_request is None and method == "GET" and read_limit > 0
                            declared = response.headers.get("content-length", "")
                            small = declared.isdigit() and int(declared) <= _READ_WHOLE_BELOW
                            if wants_body or (small and method == "GET"):
                                limit = max(read_limit, _READ_WHOLE_BELOW if small else 0)
                                body, truncated = await self._read(response, limit)
                                if wants_body:
                                    outcome.body = body[:read_limit]
                                    outcome.body_truncated = truncated or len(body) > read_limit
                        finally:
                            await response.aclose()
                except (httpx.HTTPError, httpx.InvalidURL, OSError, TimeoutError) as exc:
                    outcome.error = exc
                    outcome.status = None
                    return outcome
                finally:
                    budget.remaining_s -= time.monotonic() - started
            if next_request is None:
                return outcome
            outcome.redirected = True
            request = next_request
        outcome.error = httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")
        outcome.status = None
        return outcome

    def _transport_failure(self, url: str, kind: LinkKind, outcome: _Outcome) -> LinkCheck:
        assert outcome.error is not None
        error_kind = classify_exception(outcome.error)
        problem: LinkProblem = "http_error" if error_kind == "other" else error_kind
        return LinkCheck(
            url=url,
            kind=kind,
            ok=False,
            problem=problem,
            http_status=None,
            detail=describe_exception(outcome.error),
            external=self.is_external(url),
        )

    def _result(
        self,
        url: str,
        kind: LinkKind,
        outcome: _Outcome,
        problem: LinkProblem | None,
        detail: str,
    ) -> LinkCheck:
        if outcome.redirected:
            detail = f"{detail} (final URL {outcome.final_url})"
        return LinkCheck(
            url=url,
            kind=kind,
            ok=problem is None,
            problem=problem,
            http_status=outcome.status,
            detail=detail,
            external=self.is_external(url),
        )

    async def check_link(self, url: str) -> LinkCheck:
        budget = _Budget(self._timeout_s)
        if _looks_like_attachment(url):
            outcome = await self._follow(url, "HEAD", 0, budget)
            head_refused = outcome.status in _HEAD_REFUSED_STATUSES or isinstance(
                outcome.error, httpx.RemoteProtocolError | httpx.ReadError
            )
            if head_refused:
                outcome = await self._follow(url, "GET", 0, budget)
            elif outcome.error is None and is_html_content_type(outcome.content_type):
                outcome = await self._follow(url, "GET", SNIFF_BYTES, budget)
        else:
            outcome = await self._follow(url, "GET", SNIFF_BYTES, budget)
        if outcome.error is not None:
            return self._transport_failure(url, "link", outcome)
        status = outcome.status or 0
        if status >= 400:
            return self._result(url, "link", outcome, "http_error", f"HTTP {status}")
        if outcome.redirected:
            reason = error_page_url_reason(outcome.final_url)
            if reason:
                return self._result(url, "link", outcome, "soft_404", reason)
        if outcome.body or outcome.body_truncated:
            if is_html_content_type(outcome.content_type) or outcome.content_type is None:
                reason = soft_error_reason(outcome.body, outcome.content_type)
                if reason:
                    return self._result(url, "link", outcome, "soft_404", reason)
        elif is_html_content_type(outcome.content_type) and status == 200:
            # Only GETs reach here with HTML; an empty 200 page is blank to a visitor.
            return self._result(url, "link", outcome, "empty_body", "HTML page with empty body")
        return self._result(url, "link", outcome, None, f"HTTP {status}")

    async def check_image(self, url: str) -> LinkCheck:
        budget = _Budget(self._timeout_s)
        outcome = await self._follow(url, "GET", self._max_image_bytes, budget)
        if outcome.error is not None:
            return self._transport_failure(url, "image", outcome)
        status = outcome.status or 0
        if status >= 400:
            return self._result(url, "image", outcome, "http_error", f"HTTP {status}")
        if not outcome.body:
            return self._result(url, "image", outcome, "empty_body", f"HTTP {status}, no bytes")
        problem, detail = await asyncio.to_thread(
            judge_image_bytes, outcome.body, outcome.content_type, outcome.body_truncated
        )
        return self._result(url, "image", outcome, problem, detail)


def _looks_like_html(head: bytes) -> bool:
    start = head[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta"))


def _looks_like_svg(content_type: str, head: bytes) -> bool:
    return "svg" in content_type or b"<svg" in head[:1024].lower()


def judge_image_bytes(
    body: bytes, content_type: str | None, truncated: bool
) -> tuple[LinkProblem | None, str]:
    """Whether `body` is a decodable image; pure, run in a thread because decoding is CPU work.

    `truncated` means the body was cut at the download limit, so only the header is checked.
    """
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if is_html_content_type(media_type) or _looks_like_html(body):
        return "not_an_image", f"served {media_type or 'no content type'} with HTML content"
    if _looks_like_svg(media_type, body):
        if truncated:
            return None, "SVG larger than the download limit, not parsed"
        try:
            root = lxml.etree.fromstring(body, parser=lxml.etree.XMLParser(resolve_entities=False))
        except lxml.etree.XMLSyntaxError as exc:
            return "undecodable_image", f"SVG does not parse: {exc}"
        if not str(root.tag).endswith("svg"):
            return "not_an_image", f"XML root is {root.tag}, not svg"
        return None, "SVG image"
    try:
        with Image.open(io.BytesIO(body)) as image:
            image_format = image.format
            size = image.size
            if truncated:
                return None, f"{image_format} {size[0]}x{size[1]}, larger than limit, header only"
            # verify() checks structure (chunk CRCs...); load() decodes every pixel, which is
            # what catches a file cut short. verify() leaves the image unusable, so reopen.
            image.verify()
        with Image.open(io.BytesIO(body)) as image:
            image.load()
    except UnidentifiedImageError:
        if media_type.startswith("image/"):
            return "undecodable_image", f"{media_type} bytes not recognised as an image"
        return "not_an_image", f"served {media_type or 'no content type'}, not image bytes"
    except Image.DecompressionBombError as exc:
        return None, f"very large image, not decoded: {exc}"
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        return "undecodable_image", f"image does not decode: {exc}"
    return None, f"{image_format} {size[0]}x{size[1]}"


async def check_urls(
    links: Iterable[str],
    images: Iterable[str],
    *,
    site_hosts: set[str],
    per_host_concurrency: int = 4,
    per_host_delay_s: float = 0.0,
    timeout_s: float = 15.0,
    total_concurrency: int = 64,
    max_image_bytes: int = MAX_IMAGE_BYTES,
) -> dict[str, LinkCheck]:
    """Check every distinct URL once; returns a LinkCheck for each URL passed in.

    A URL given both as a link and as an image is checked as an image (the stricter check).
    URLs that differ only in their #fragment share one request. `timeout_s` bounds the
    network time per URL, redirects and HEAD->GET fallback included.
    """
    kind_by_url: dict[str, LinkKind] = {}
    for url in links:
        kind_by_url.setdefault(url, "link")
    for url in images:
        kind_by_url[url] = "image"

    canonical_kind: dict[str, LinkKind] = {}
    for url, kind in kind_by_url.items():
        canonical = urldefrag(url)[0]
        if canonical_kind.get(canonical) != "image":
            canonical_kind[canonical] = kind

    queues: dict[str, deque[str]] = {}
    for canonical in canonical_kind:
        queues.setdefault(_host_of(canonical), deque()).append(canonical)

    checked: dict[str, LinkCheck] = {}
    async with make_client(
        timeout_s=timeout_s, max_connections=max(1, total_concurrency), high_volume=True
    ) as client:
        checker = _Checker(
            client,
            site_hosts=site_hosts,
            per_host_concurrency=per_host_concurrency,
            per_host_delay_s=per_host_delay_s,
            timeout_s=timeout_s,
            total_concurrency=total_concurrency,
            max_image_bytes=max_image_bytes,
        )

        async def drain(queue: deque[str]) -> None:
            while queue:
                url = queue.popleft()
                kind = canonical_kind[url]
                try:
                    if kind == "image":
                        checked[url] = await checker.check_image(url)
                    else:
                        checked[url] = await checker.check_link(url)
                except Exception as exc:
                    # One malformed URL must not abort a 10,000-URL run; keep the trace.
                    logger.exception("checking %s failed unexpectedly", url)
                    checked[url] = LinkCheck(
                        url=url,
                        kind=kind,
                        ok=False,
                        problem="http_error",
                        http_status=None,
                        detail=f"internal error: {describe_exception(exc)}",
                        external=checker.is_external(url),
                    )

        workers = [
            drain(queue)
            for queue in queues.values()
            for _ in range(min(max(1, per_host_concurrency), len(queue)))
        ]
        await asyncio.gather(*workers)

    results: dict[str, LinkCheck] = {}
    for url in kind_by_url:
        check = checked[urldefrag(url)[0]]
        # A fragment variant gets its own url; the kind stays the one actually checked.
        results[url] = check if check.url == url else dataclasses.replace(check, url=url)
    return results
