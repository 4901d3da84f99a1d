"""``govwatch targets discover``: from homepages to a review-ready targets file.

``fetch`` reads pages politely with httpx; ``site`` walks one site (homepage,
navigation and 信息公开目录 pages, columns, the 政务新媒体 directory) using the pure
parsers of ``crawler.discover``; ``writer`` renders the targets file with its guesses
marked; ``diff`` compares a discovery with the registry.
"""
