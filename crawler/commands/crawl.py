"""``scrapy crawl``, with the site and account spiders' arguments checked first.

Scrapy builds the spider inside its event loop, so an exception there is a
traceback and the exit code says nothing. This command checks the ``-a`` arguments
before the crawler process (and its logging) starts: a wrong one prints one line
and exits 2.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from crawler.spider_args import SpiderArgumentError, check_crawl_arguments


class Command(ScrapyCrawlCommand):
    """Scrapy's ``crawl`` command plus the argument check."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            return  # Scrapy's own usage error follows
        from storage.db import DatabaseError

        try:
            check_crawl_arguments(args[0], opts.spargs)
        except SpiderArgumentError as error:
            print(f"错误: {error}", file=sys.stderr)
            sys.exit(2)
        except DatabaseError as error:
            print(f"错误: {error}", file=sys.stderr)
            sys.exit(1)
