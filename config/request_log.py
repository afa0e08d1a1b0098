"""Request ids and the access log.

Every request gets an id: the load balancer's `X-Request-ID` when it is a sane token, else a
new one. It is returned in the response's `X-Request-ID`, and every log line written while
the request runs carries it (`RequestIdFilter`). One access line per request records method,
path (never the query string: it may carry codes or tokens), status, duration, and the user
and business ids where known. In production the lines are JSON (settings.LOGGING).
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

access_logger = logging.getLogger("chairtime.access")
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
# The business the request turned out to be about (an appointment's, say), set where it is known.
current_business_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("business_id", default=None)
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_from(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if SANE_ID.match(given) else uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (empty outside a request) to every record, and keeps secret path
    segments out of it (Django's own "Not Found: <path>" lines and their request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        if isinstance(record.args, tuple):
            record.args = tuple(logged_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and SECRET_PATH.match(request.path):
            record.request = f"{request.method} {logged_path(request.path)}"
        return True


def note_business(business_id: object) -> None:
    """Say which business the current request is about, for its access line (a view or a
    service that loaded an appointment knows; the URL often does not)."""
    current_business_id.set(str(business_id))


def business_id_of(request: HttpRequest) -> str | None:
    """The business a request is about: as noted while it ran, else as its URL or query names it."""
    match = getattr(request, "resolver_match", None)
    found = (
        current_business_id.get()
        or (match.kwargs.get("business_id") if match else None)
        or request.GET.get("business")
    )
    return str(found)[:64] if found else None


# Paths whose segments are secrets (a calendar feed's token is its only key; a slot hold's, a
# waitlist offer's link): logged without.
SECRET_PATH = re.compile(
    r"^(/calendar/(?:staff|business)/|/api/holds/|/customer/waitlist/offers/)[^/]+?((?:\.ics)?/?)$"
)


def logged_path(path: str) -> str:
    return SECRET_PATH.sub(r"\1…\2", path)


class RequestLogMiddleware:
    """Second in MIDDLEWARE (after the health probes, which are not logged)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        token = current_request_id.set(request_id)
        business_token = current_business_id.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            access_logger.info(
                "%s %s %s",
                request.method,
                logged_path(request.path),
                response.status_code,
                extra={
                    "method": request.method,
                    "path": logged_path(request.path),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                    "business_id": business_id_of(request),
                },
            )
            return response
        finally:
            current_request_id.reset(token)
            current_business_id.reset(business_token)
