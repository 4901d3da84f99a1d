"""Onboarding a site: pure parsers that find its columns, their categories, and the
new-media accounts it lists, from pages already fetched (``govwatch targets discover``)."""
