"""Response headers every page gets, and request checks every view can rely on."""

from django.http import HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext_lazy

from config.api import error_body

# No inline script or style anywhere: every script and stylesheet is a file we serve.
# img-src allows data: for the icons Swagger UI draws at /api/docs.
BASE_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'"


def content_security_policy(frame_ancestors: str = "frame-ancestors 'none'") -> str:
    return f"{BASE_POLICY}; {frame_ancestors}"


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Our policy on every response; framing forbidden unless a view set its own policy.

    Modern browsers follow CSP `frame-ancestors` and ignore X-Frame-Options when both are
    present; sending both covers old ones. Only the widget's pages opt out (DESIGN §8), and
    uploaded files set a stricter one (config/media.py).
    """

    def process_response(self, request, response):
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy()
        return response


# Translators: %00 is how a NUL character is written in a web address; keep it as it is.
NUL_MESSAGE = gettext_lazy("The address contains a NUL character (%00), which no field accepts.")


class RejectNulCharactersMiddleware(MiddlewareMixin):
    """A NUL in a query parameter is a 400, not a database error (PostgreSQL text cannot hold
    one). Form fields are checked by the forms and pages themselves, which keep the input."""

    def process_request(self, request):
        if not any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(error_body("validation_error", NUL_MESSAGE), status=400)
        return HttpResponse(str(NUL_MESSAGE), status=400, content_type="text/plain; charset=utf-8")
