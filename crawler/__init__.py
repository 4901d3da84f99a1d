"""Fetching: Scrapy spiders, pipelines, page parsing, platform adapters and health checkers."""
