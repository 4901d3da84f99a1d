"""The identity marks a government homepage must show (政府网站发展指引: footer):
the 网站标识码, the ICP 备案 number, the 公安机关备案 mark, and for Party and
government bodies the 党政机关网站 mark (the red 开办者 badge linking to conac.cn)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import lxml.etree
import lxml.html

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_SITE_CODE_RE = re.compile(
    r"(?:网站标识码|网站标识号|网站标识|标识码)\s*[:：]?\s*([0-9A-Za-z]{10})(?![0-9A-Za-z])"
)
_ICP_RE = re.compile(rf"[{_PROVINCES}]\s*ICP\s*(?:备|证)\s*\d{{6,}}\s*号(?:\s*-\s*\d+)?", re.I)
_POLICE_RE = re.compile(rf"[{_PROVINCES}]\s*公网安备\s*\d{{10,}}\s*号?")
_POLICE_LINK_RE = re.compile(r"beian\.mps\.gov\.cn|beian\.gov\.cn/portal/registerSystemInfo")
_PARTY_MARK_RE = re.compile(r"conac\.cn|dzjg|党政机关", re.I)


@dataclass(frozen=True, slots=True)
class IdentityMarks:
    """What the homepage shows; None/False where it shows nothing."""

    site_code: str | None
    icp: str | None
    police: str | None
    party_government_mark: bool

    def as_dict(self) -> dict[str, object]:
        """For storage (JSON)."""
        return asdict(self)


def read_identity_marks(html: str) -> IdentityMarks:
    """The identity marks anywhere on the page (scripts excluded: a 纠错 script's
    ``sitecode`` attribute is not a code visitors can read)."""
    try:
        root = lxml.html.fromstring(html) if html.strip() else None
    except (lxml.etree.ParserError, ValueError):
        root = None
    if root is None:
        return IdentityMarks(None, None, None, False)
    for junk in root.xpath("//script|//style|//noscript"):
        junk.drop_tree()
    text = " ".join(root.text_content().split())
    site_code = _SITE_CODE_RE.search(text)
    icp = _ICP_RE.search(text)
    police = _POLICE_RE.search(text)
    police_text = police.group(0) if police else None
    party_mark = False
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        if police_text is None and _POLICE_LINK_RE.search(href):
            police_text = " ".join(anchor.text_content().split()) or href
        if "conac.cn" in href:
            party_mark = True
    for image in root.iter("img"):
        source = f"{image.get('src') or ''} {image.get('alt') or ''} {image.get('title') or ''}"
        if _PARTY_MARK_RE.search(source):
            party_mark = True
    return IdentityMarks(
        site_code.group(1) if site_code else None,
        " ".join(icp.group(0).split()) if icp else None,
        police_text,
        party_mark,
    )
