"""Loads the one spider a crawl names, not every spider module of the project.

Scrapy's own loader imports every module under ``SPIDER_MODULES`` before a crawl
starts; here that meant the Redis worker (scrapy-redis, redis, the service queue) in
every site crawl, a fixed cost each scheduled crawl process paid (issue 17). The
spiders are few and named here; a test keeps this table equal to what Scrapy's
loader finds.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.utils.misc import load_object

#: Spider name -> its class.
SPIDERS = {
    "site": "crawler.spiders.site.SiteSpider",
    "account": "crawler.spiders.account.AccountSpider",
    "worker": "crawler.spiders.worker.WorkerSpider",
}


class NamedSpiderLoader:
    """Scrapy's spider loader interface over :data:`SPIDERS`, importing on demand."""

    @classmethod
    def from_settings(cls, settings: Any) -> NamedSpiderLoader:
        return cls()

    def load(self, spider_name: str) -> type[Spider]:
        try:
            path = SPIDERS[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None
        return load_object(path)  # type: ignore[no-any-return]

    def list(self) -> list[str]:
        return list(SPIDERS)

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name in SPIDERS if self.load(name).handles_request(request)]
