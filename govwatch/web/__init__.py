"""The read-only web dashboard (``govwatch serve``): overview, findings, one page per site
and account, and report download, rendered on the server, behind a login."""
