"""What a site crawl process loads before its first request (issue 17): its own
spider only, and no browser library until a page needs a browser."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader

from crawler.spider_loader import SPIDERS, NamedSpiderLoader

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_the_named_spiders_are_the_ones_scrapy_finds() -> None:
    found = SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["crawler.spiders"]}))
    assert sorted(found.list()) == sorted(SPIDERS)
    loader = NamedSpiderLoader.from_settings(Settings())
    for name in found.list():
        assert loader.load(name) is found.load(name)


def test_an_unknown_spider_is_a_key_error() -> None:
    try:
        NamedSpiderLoader().load("nosuch")
    except KeyError as error:
        assert "nosuch" in str(error)
    else:
        raise AssertionError("no KeyError")


PROBE = """
import json, sys
from scrapy.utils.misc import load_object
import crawler.settings as settings
loader = load_object(settings.SPIDER_LOADER_CLASS).from_settings(None)
loader.load("site")
for path in [*settings.ITEM_PIPELINES, *settings.DOWNLOAD_HANDLERS.values(), *settings.EXTENSIONS]:
    if path:
        load_object(path)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} | set(sys.modules))))
"""


def modules_loaded_by(probe: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``probe`` (its last line)."""
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_site_crawl_loads_no_browser_nor_redis_worker_nor_link_checker() -> None:
    loaded = modules_loaded_by(PROBE)
    assert "crawler.spiders.site" in loaded  # the probe works
    assert not loaded & {"playwright", "scrapy_playwright", "scrapy_redis", "redis"}
    assert "crawler.spiders.worker" not in loaded
    # Nor what only some crawls use, on first use: the link checker (at the crawl's
    # end), article text and the slow article-date fallback.
    assert not loaded & {"httpx", "crawler.health.links", "trafilatura", "htmldate"}


EXTENSIONS_PROBE = """
import json, sys
from scrapy.utils.conf import build_component_list
from scrapy.utils.project import get_project_settings
settings = get_project_settings()
settings.setmodule("crawler.settings", priority="project")
# What Scrapy's extension manager does: keys are normalised by importing them.
build_component_list(settings.get_component_priority_dict_with_base("EXTENSIONS"))
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_extension_list_imports_no_code_execution_server() -> None:
    # Scrapy imports every extension its lists name, even one set to None: the
    # RemoteControl extension (and aiohttp, a quarter second per crawl) must be absent.
    loaded = modules_loaded_by(EXTENSIONS_PROBE)
    assert "crawler.log_level" in loaded  # the probe built the project's list
    assert not loaded & {"aiohttp", "scrapy.extensions.remote_control"}


def test_no_crawl_starts_scrapys_code_execution_server() -> None:
    # Scrapy 2.19's RemoteControl extension serves "run this Python code" on localhost
    # in every crawl unless it is switched off (and imports aiohttp for it).
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    enabled = build_component_list(settings.get_component_priority_dict_with_base("EXTENSIONS"))
    names = [
        path if isinstance(path, str) else f"{path.__module__}.{path.__qualname__}"
        for path in enabled
    ]
    assert "crawler.log_level.CrawlLogLevel" in names  # the project's extensions are read
    assert "crawler.gc_tuning.CrawlHeapFreeze" in names
    assert not [name for name in names if "remote_control" in name.lower()]
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
