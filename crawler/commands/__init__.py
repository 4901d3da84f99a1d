"""govwatch's own ``scrapy`` commands (``COMMANDS_MODULE``): ``crawl`` with its
arguments checked before the crawl starts."""
