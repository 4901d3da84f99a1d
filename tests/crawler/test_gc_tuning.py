"""A crawl keeps the heap alive at its start out of the garbage collector's walks, and
gives it back when the process's last crawl closes."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from crawler.gc_tuning import YOUNG_THRESHOLD, CrawlHeapFreeze


@pytest.fixture
def collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_heap_is_frozen_while_crawls_are_open_and_thawed_after_the_last(
    collector: None,
) -> None:
    before = gc.get_threshold()
    first, second = CrawlHeapFreeze(), CrawlHeapFreeze()

    first.spider_opened(None)
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the interpreter's and the test run's modules at least
    assert gc.get_threshold() == (max(before[0], YOUNG_THRESHOLD), before[1], before[2])

    second.spider_opened(None)  # a warm worker's crawls may overlap
    first.spider_closed(None)
    assert gc.get_freeze_count() >= frozen  # the other crawl still runs
    second.spider_closed(None)

    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_cycles_made_during_a_crawl_are_still_collected(collector: None) -> None:
    extension = CrawlHeapFreeze()
    extension.spider_opened(None)
    try:

        class Node:
            pass

        node = Node()
        node.self = node  # type: ignore[attr-defined]
        del node
        assert gc.collect() >= 1
    finally:
        extension.spider_closed(None)
