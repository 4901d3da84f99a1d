"""The continuous-monitoring service behind ``scheduler.py``.

One small module per job: ``schedule`` (APScheduler and its job store in the
project database), ``jobs`` (what each scheduled job does), ``crawls`` (one guarded
crawl), ``leases`` (one crawl per target across processes), ``queue`` (the Redis
crawl queue of scaled-out workers), ``checks`` (the debounced check), ``channels``
(WeCom, DingTalk, e-mail) and ``notify`` (what is sent, once), ``metrics``
(Prometheus), ``targets_watch`` (reloading the targets file), ``status`` (for
``govwatch status``) and ``runtime`` (running it all until stopped, once, or as a
worker). The worker spider itself is ``crawler/spiders/worker.py``.
"""
