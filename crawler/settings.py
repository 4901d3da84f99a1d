"""Scrapy's settings for govwatch's spiders, derived from the project settings.

Politeness, retries, timeouts and the browser used for ``render: js`` columns are
configured here and nowhere in spider code. Values come from ``settings.py`` so one
``GOVWATCH_*`` variable changes them everywhere.
"""

import logging

from scrapy.settings.default_settings import EXTENSIONS_BASE as _scrapy_extensions_base

from govwatch.logging_setup import install_log_redaction
from settings import get_settings

_govwatch = get_settings()
# Spider processes log requests (and, at DEBUG, much more): no secret may reach a line.
install_log_redaction()

BOT_NAME = "govwatch"
SPIDER_MODULES = ["crawler.spiders"]
# Only the spider a crawl names is imported (crawler/spider_loader.py).
SPIDER_LOADER_CLASS = "crawler.spider_loader.NamedSpiderLoader"
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` checks the spiders' -a arguments before starting (one line, exit 2).
COMMANDS_MODULE = "crawler.commands"

# Every spider request (browser-rendered pages too: scrapy-playwright's default header
# processing sends Scrapy's User-Agent) names govwatch and its operator's contact URL.
USER_AGENT = _govwatch.user_agent
# GOVWATCH_OBEY_ROBOTS, off by default: the inspection is mandated, site owners cannot
# opt out of it, and many government sites answer robots.txt with a login page or
# "Disallow: /"; the inspectors read these pages by hand anyway. We stay polite
# through delay and concurrency, and a deployment can obey robots.txt.
ROBOTSTXT_OBEY = _govwatch.obey_robots
DOWNLOAD_DELAY = _govwatch.download_delay_s
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = _govwatch.concurrent_requests_per_domain
DOWNLOAD_TIMEOUT = _govwatch.download_timeout_s
RETRY_ENABLED = True
RETRY_TIMES = _govwatch.retry_times
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 starts, in every crawl, an HTTP server on localhost that runs any Python
# code sent with the token it writes to the user's profile directory (its "remote
# control", for an MCP client). A monitoring service has no use for it and must not
# offer it (nor import aiohttp for it: see EXTENSIONS_BASE below).
REMOTE_CONTROL_ENABLED = False
# A normal run prints failures and a short summary (crawler/run_summary.py), not
# Scrapy's ~100 INFO lines; `scrapy crawl … -L INFO` shows them when asked, and
# GOVWATCH_LOG_LEVEL=DEBUG shows everything (secrets redacted).
_LOG_LEVEL = logging.getLevelName(_govwatch.log_level.upper())
LOG_LEVEL = logging.getLevelName(
    _LOG_LEVEL if _LOG_LEVEL == logging.DEBUG else max(_LOG_LEVEL, logging.WARNING)
)
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Scrapy re-reads a generator callback's source on every response to warn about a
# `return value` in it (its cache is keyed by the bound method, new each time): a
# tenth of a crawl's CPU (issue 17). ruff and the tests catch such returns instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Scrapy starts this many tasks per response to pass its output to the pipelines in
# parallel; a page yields a few observations and requests, and storing is batched.
CONCURRENT_ITEMS = 8
FEED_EXPORT_ENCODING = "utf-8"

# The platforms' own hosts get one request at a time, spaced, in every process that
# reaches them (account crawls, and Redis workers mixing sites and accounts).
DOWNLOAD_SLOTS = {
    host: {"concurrency": 1, "delay": _govwatch.platform_delay_s}
    for host in _govwatch.platform_hosts()
}

# RemoteControl (see REMOTE_CONTROL_ENABLED) is left out of the base list, not set to
# None in EXTENSIONS: Scrapy imports every extension either list names, disabled or
# not, to build the list, and that one imports aiohttp and platformdirs (a quarter of a
# second of CPU in every crawl process).
EXTENSIONS_BASE = {
    path: order
    for path, order in _scrapy_extensions_base.items()
    if path != "scrapy.extensions.remote_control.RemoteControl"
}
# Loggers at LOG_LEVEL: DEBUG records are not built (and redacted) to be dropped; the
# heap alive when the spider opens is kept out of the garbage collector's walks.
EXTENSIONS = {"crawler.log_level.CrawlLogLevel": 0, "crawler.gc_tuning.CrawlHeapFreeze": 0}

ITEM_PIPELINES = {
    "crawler.pipelines.StoragePipeline": 300,
    "crawler.facts_pipeline.SiteFactsPipeline": 350,
    "crawler.link_pipeline.LinkCheckPipeline": 400,
}

# Browser rendering (scrapy-playwright) for `render: js` columns, the render fallback and
# Douyin. The http(s) handler imports and starts Playwright (its driver, then Chromium)
# on the first request that asks for a browser (crawler/download_handler.py), so static
# crawls never pay for it.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Every browser page is time-limited (crawler/browser_handler.py). Only http(s) is
# ever downloaded: the file/ftp/s3 handlers are switched off, and the scheme guard
# drops any other request, redirects included (crawler/scheme_guard.py); data: stays
# for the Redis worker's empty start URL only.
DOWNLOAD_HANDLERS = {
    "http": "crawler.download_handler.BrowserOnDemandHandler",
    "https": "crawler.download_handler.BrowserOnDemandHandler",
    "file": None,
    "ftp": None,
    "s3": None,
}
DOWNLOADER_MIDDLEWARES = {"crawler.scheme_guard.SchemeGuardMiddleware": 50}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": _govwatch.browser_executable,
    "args": list(_govwatch.browser_args),
    "headless": True,
}
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = int(_govwatch.download_timeout_s * 1000)
