"""API plumbing: the single error shape `{"error": {"code", "message", "fields"?}}`."""

import logging
import sys
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response

from config.errors import Busy, DomainError
from config.parsers import RequestTooLarge

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger("chairtime.api")

# The database could not be reached or dropped the connection: a 503 the client may retry
# (Django reconnects on the next request), never a 500 traceback.
DATABASE_DOWN = (OperationalError, InterfaceError)
# A lock not obtained within lock_timeout, or a deadlock PostgreSQL broke: retry shortly.
CONTENTION = {"55P03", "40P01"}
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_MESSAGE = gettext_lazy("The service is briefly unavailable; please try again in a few seconds.")

CODES_BY_EXCEPTION = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.Throttled, "throttled"),
    (RequestTooLarge, "request_too_large"),
    (exceptions.ParseError, "validation_error"),
    (exceptions.ValidationError, "validation_error"),
]


def error_body(code: str, message: "StrOrPromise", fields: dict | None = None) -> dict:
    error: dict[str, object] = {"code": code, "message": str(message)}  # translated, in the request's language
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: every error under /api leaves in one shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):  # e.g. a forged pagination cursor's position
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # Django's word for a malformed request
        exc = exceptions.ParseError(str(exc) or _("The request is malformed."))

    if isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) in CONTENTION:
        exc = Busy()  # a lock not obtained in time, also at commit (the salon's availability version)

    if isinstance(exc, DomainError):
        response = Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
        if isinstance(exc, Busy):
            response["Retry-After"] = str(exc.retry_after_seconds)
        return response

    if isinstance(exc, exceptions.APIException):
        return api_exception_response(exc)

    if isinstance(exc, DATABASE_DOWN):
        logger.error("database unavailable: %s", type(exc).__name__)
        return Response(
            error_body("service_unavailable", UNAVAILABLE_MESSAGE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    logger.exception("unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
    return Response(
        error_body("server_error", _("Something went wrong on our side. It has been logged.")),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def api_exception_response(exc: exceptions.APIException) -> Response:
    code = next((code for kind, code in CODES_BY_EXCEPTION if isinstance(exc, kind)), "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = error_body(code, _("The request is invalid; see fields."), fields)
    else:
        body = error_body(code, str(exc.detail))
    response = Response(body, status=exc.status_code)
    if auth_header := getattr(exc, "auth_header", None):  # NotAuthenticated, AuthenticationFailed
        response["WWW-Authenticate"] = auth_header
    if wait := getattr(exc, "wait", None):  # Throttled
        response["Retry-After"] = str(int(wait))
    return response


def api_not_found(request, *args, **kwargs):
    """Catch-all for /api paths no route matched (Django's own 404 page is HTML)."""
    return JsonResponse(error_body("not_found", _("No such API endpoint.")), status=404)


def server_error(request, *args, **kwargs):
    """handler500: JSON under /api, a plain page elsewhere; a database that cannot be reached
    (anywhere in the request, middleware included) is a 503 to retry, not a 500."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return service_unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", _("Something went wrong on our side.")), status=500)
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)


def service_unavailable(request) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("service_unavailable", UNAVAILABLE_MESSAGE), status=503)
    else:
        response = HttpResponse(str(UNAVAILABLE_MESSAGE), status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
