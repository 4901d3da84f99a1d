"""Scrapy's settings for govwatch's spiders, derived from the project settings.

Politeness, retries, timeouts and the browser used for ``render: js`` columns are
configured here and nowhere in spider code. Values come from ``settings.py`` so one
``GOVWATCH_*`` variable changes them everywhere.
"""

from settings import get_settings

_govwatch = get_settings()

BOT_NAME = "govwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = _govwatch.user_agent
# Government sites publish no crawl policy worth obeying for an inspection of their
# own public columns, and many answer robots.txt with a login page; the inspectors
# read these pages by hand anyway. We stay polite through delay and concurrency.
ROBOTSTXT_OBEY = False
DOWNLOAD_DELAY = _govwatch.download_delay_s
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = _govwatch.concurrent_requests_per_domain
DOWNLOAD_TIMEOUT = _govwatch.download_timeout_s
RETRY_ENABLED = True
RETRY_TIMES = _govwatch.retry_times
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"

# The platforms' own hosts get one request at a time, spaced, in every process that
# reaches them (account crawls, and Redis workers mixing sites and accounts).
DOWNLOAD_SLOTS = {
    host: {"concurrency": 1, "delay": _govwatch.platform_delay_s}
    for host in _govwatch.platform_hosts()
}

ITEM_PIPELINES = {
    "crawler.pipelines.StoragePipeline": 300,
    "crawler.facts_pipeline.SiteFactsPipeline": 350,
    "crawler.link_pipeline.LinkCheckPipeline": 400,
}

# Browser rendering (scrapy-playwright) for `render: js` columns. The handler only
# starts Chromium when a request asks for it, so static crawls never pay for it.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": _govwatch.browser_executable,
    "args": list(_govwatch.browser_args),
    "headless": True,
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = int(_govwatch.download_timeout_s * 1000)
