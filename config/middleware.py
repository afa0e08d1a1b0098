from django.utils.deprecation import MiddlewareMixin


class FrameAncestorsMiddleware(MiddlewareMixin):
    """Forbid framing everywhere except where a view set its own frame-ancestors.

    Modern browsers follow CSP `frame-ancestors` and ignore X-Frame-Options when both are
    present; sending both covers old ones. Only the widget's pages opt out (DESIGN §8).
    """

    def process_response(self, request, response):
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = "frame-ancestors 'none'"
        return response
