"""User uploads (salon logos) under MEDIA_URL, served so that no upload can run script.

An uploaded file lives on our origin; if a browser rendered one as HTML or SVG, its script
would run with the admin's session. So every upload is sandboxed by CSP, never sniffed, and
downloaded rather than shown unless it is one of the raster images we accept.
"""

import mimetypes

from django.conf import settings
from django.views.static import serve

INLINE_TYPES = {"image/png", "image/jpeg", "image/webp"}
MEDIA_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'none'; frame-ancestors 'none'"


def serve_media(request, path: str):
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Security-Policy"] = MEDIA_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    # By the name, as serve() guesses the type from it: a 304 carries no Content-Type.
    if mimetypes.guess_type(path)[0] not in INLINE_TYPES:
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = "attachment"
    return response
