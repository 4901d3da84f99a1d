"""LINK_BROKEN and IMAGE_BROKEN: links and images that do not open (链接可用性, 图片不显示)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from monitor.column_state import column_states
from monitor.rules.base import CheckContext, Detection, Judgement, Rule
from monitor.site_health_state import FailedLink, latest_link_checks, sites

PROBLEM_LABELS = {
    "http_error": "返回错误状态",
    "dns": "域名无法解析",
    "refused": "连接被拒绝",
    "timeout": "访问超时",
    "tls": "HTTPS 连接失败",
    "soft_404": "页面提示不存在",
    "empty_body": "内容为空",
    "not_an_image": "不是图片",
    "undecodable_image": "图片已损坏无法显示",
}


#: Statuses a server gives a checker it will not serve (auth, WAF, rate limit): they say
#: nothing about whether a visitor's browser opens the link, so they are not findings.
REFUSED_TO_CHECKER = frozenset({401, 403, 407, 429})


def _url_key(url: str) -> str:
    return url.rstrip("/")


def failed_pages(context: CheckContext) -> set[str]:
    """URLs of homepages and columns whose fetch as of the day failed (CHECK_FAILED).

    One failure, one finding: a column answering 500 is CHECK_FAILED, and the link to
    it on the homepage is not also LINK_BROKEN.
    """
    urls: set[str] = set()
    for page_kind in ("homepage", "column"):
        for state in column_states(context, page_kind):
            if state.failed:
                urls.update(_url_key(url) for url in (state.column_url, state.fetch_url) if url)
    return urls


def _reason(check: FailedLink) -> str:
    label = PROBLEM_LABELS.get(check.problem or "", "无法打开")
    if check.http_status and check.problem == "http_error":
        label = f"{label} HTTP {check.http_status}"
    return label


class LinkBroken(Rule):
    """A link on the homepage or a column page that does not open: an error status, a
    failed connection, a timeout, or a page saying 页面不存在 (soft 404).

    The indicators deduct 1 point per broken link on the homepage and 0.1 elsewhere;
    a link to another site that fails is reported as an external link.
    """

    code = "LINK_BROKEN"
    name = "链接不可用"
    threshold = "首页每处扣 1 分,其他页面每处扣 0.1 分"
    message_template = "{site}{where}的{external}链接 {url} 无法打开({reason})"
    kind: ClassVar[str] = "link"

    def evaluate(self, context: CheckContext) -> Iterator[Judgement]:
        homepage_points = context.rubric.param(self.code, "homepage_points")
        other_points = context.rubric.param(self.code, "other_points")
        checks = latest_link_checks(context)
        already_failed = failed_pages(context)
        for site in sites(context).values():
            if site.site_id not in checks.checked_sites:
                continue  # no link check yet
            detections = []
            for check in checks.failed.get(site.site_id, ()):
                if check.kind != self.kind:
                    continue
                if check.problem == "http_error" and check.http_status in REFUSED_TO_CHECKER:
                    continue  # not proof of a broken link: a false finding is worse
                if _url_key(check.url) in already_failed:
                    continue  # reported once, as CHECK_FAILED of that page
                page = check.found_on[0] if check.found_on else site.url
                where = "首页" if check.on_homepage else f"页面 {page} "
                message = self.message_template.format(
                    site=site.name,
                    where=where,
                    external="外部" if check.external else "",
                    url=check.url,
                    reason=_reason(check),
                )
                points = homepage_points if check.on_homepage else other_points
                evidence = (check.url, *check.found_on[:3])
                detections.append(Detection(message, evidence, subject=check.url, points=points))
            yield Judgement("site", site.site_id, site.unit, tuple(detections))


class ImageBroken(LinkBroken):
    """An image that does not load: an error status, an empty body, content that is not
    an image (an HTML page served as one), or bytes that do not decode. Lazy-loaded
    images (``data-src``, ``data-original``) count. Weighed as a broken link on its page.
    """

    code = "IMAGE_BROKEN"
    name = "图片不显示"
    threshold = "按所在页面计为不可用链接"
    message_template = "{site}{where}的{external}图片 {url} 无法显示({reason})"
    kind: ClassVar[str] = "image"
