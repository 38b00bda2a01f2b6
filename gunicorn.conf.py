"""gunicorn's settings: bin/web, the load test and the integration tests all start gunicorn from the
project root, where gunicorn reads this file by itself. Each setting can be changed from the
environment (see README, Configuration)."""

import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# One process per core, each with threads: a request spends about half its time waiting for
# PostgreSQL, when another thread of the same process can run. (A sync worker is also held by every
# open connection until its request arrives: a few idle keep-alive or slow clients stall the site.
# A gthread worker parks such connections and gives its threads only to requests that have arrived.)
# Each thread keeps a database connection (CONN_MAX_AGE): workers × threads per web process, plus
# Celery's, must stay under PostgreSQL's max_connections (100 by default).
workers = int(os.environ.get("WEB_CONCURRENCY", min(os.cpu_count() or 2, 8)))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
keepalive = 5
# The proxy in front appends the client's address to X-Forwarded-For (see PROXY_COUNT).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No access log: the app writes one JSON line per request, without client addresses.
accesslog = None


def post_worker_init(worker):
    """The application is loaded: load its URLs and views too, then freeze what lives as long as the
    process, so that the garbage collector stops walking it at every full collection (in the load
    test, a fifth less time collecting). Templates load on first use and are not frozen."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    gc.collect()
    gc.freeze()
