"""The API's JSON parser: a client's oversized or pathological body is a 4xx, never a 500."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, parsers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            raise RequestTooLarge(
                _("The request body is larger than the %(size)s KB the API accepts.") % {"size": limit // 1024}
            )
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json.loads gives up on deep nesting ("[" x 100,000) with RecursionError, not ValueError.
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None
