"""Health checks for load balancers and orchestrators (DESIGN §5).

`GET /healthz`: the process is up and answering (no I/O). `GET /readyz`: it can serve: a
database query, and, when configured, a broker ping and a cache round trip, each bounded by
a short timeout; 200 `{"status": "ok", "checks": {...}}` or 503 naming what failed.

Answered by the first middleware, before host validation, the SSL redirect, sessions, CSRF,
authentication and throttles: a load balancer probes over plain HTTP, by IP address, with no
cookies. The answers carry no secrets (a failed check says "unavailable", the log says why).
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.api import error_body

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0
HEALTH_PATHS = {"/healthz", "/healthz/"}
READY_PATHS = {"/readyz", "/readyz/"}


def check_database() -> None:
    # SET LOCAL: the limit ends with this transaction, whether the query succeeds or not, so the
    # connection (kept for CONN_MAX_AGE) never serves later requests with it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [int(CHECK_TIMEOUT_SECONDS * 1000)])
        cursor.execute("SELECT 1")


def check_broker() -> None:
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def check_cache() -> None:
    token = str(time.monotonic_ns())
    cache.set("chairtime:readyz", token, timeout=10)
    if cache.get("chairtime:readyz") != token:
        raise RuntimeError("the cache did not return what was just stored")


def checks() -> dict[str, Callable[[], None]]:
    """The dependencies this process is configured with."""
    found = {"database": check_database}
    if settings.BROKER_IS_REDIS:
        found["broker"] = check_broker
    if not settings.CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache")):
        found["cache"] = check_cache
    return found


def readiness() -> tuple[bool, dict[str, str]]:
    results = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as error:  # any failure means "not ready"; the log says which
            logger.warning("readyz: %s unavailable: %s", name, type(error).__name__)
            results[name] = "unavailable"
            if name == "database":
                connection.close_if_unusable_or_obsolete()
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


def no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers the two probes before anything else looks at the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path not in HEALTH_PATHS and path not in READY_PATHS:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse(error_body("method_not_allowed", "Use GET."), status=405)
            response["Allow"] = "GET, HEAD"
            return no_store(response)
        if path in HEALTH_PATHS:
            return no_store(JsonResponse({"status": "ok"}))
        ready, results = readiness()
        body = {"status": "ok" if ready else "unavailable", "checks": results}
        return no_store(JsonResponse(body, status=200 if ready else 503))
