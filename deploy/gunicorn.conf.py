"""Gunicorn for Chairtime's web processes: `gunicorn --config deploy/gunicorn.conf.py config.wsgi`.

Settings come from the environment (deploy/README.md). Requests are logged by the app itself
(config/request_log.py: one JSON line each, with the request id), so gunicorn's own access log
is off; its error log (workers booting, timing out, stopping) goes to stderr in the app's
format: JSON lines in production (LOG_FORMAT, as config/settings.py reads it).
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Threads per worker let a worker wait on PostgreSQL for one request while serving another.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A request taking longer than this is killed and logged; health probes answer in milliseconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On SIGTERM, workers stop accepting and finish in-flight requests for up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Recycle workers now and then (with jitter, so they do not all restart together).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = max_requests // 10
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
debug = os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on")
if os.environ.get("LOG_FORMAT", "text" if debug else "json") == "json":
    # Gunicorn replaces its default logging sections with the ones given here, so each is whole.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": True,
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
        "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False}},
    }
# Load the app once in the master: a broken configuration fails the start, not each worker.
preload_app = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
