"""Scrapy spiders: thin, they turn responses into observations via crawler.extract."""
