"""The widget's pages: /widget/{businessId} and the embed script."""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import condition

from booking.visits import MAX_VISIT_ITEMS
from businesses.selectors import business_by_id
from config.languages import use_business_language
from config.locale_format import first_weekday
from config.middleware import content_security_policy
from widget.framing import frame_ancestors, is_allowed_origin, origin_of

EMBED_SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "widget-embed.js"


@xframe_options_exempt
def widget_page(request, business_id):
    business = business_by_id(business_id)
    if business is None:
        response = render(request, "widget/not_found.html", status=404)
    else:
        use_business_language(request, business)
        origin = origin_of(request.GET.get("origin", ""))
        response = render(
            request,
            "widget/page.html",
            {
                "business": business,
                "widget_config": {
                    "business": str(business.pk),
                    "timezone": business.timezone,
                    "currency": business.currency,
                    # Messages go only to the page's origin, and only if the salon allows it.
                    "parentOrigin": origin if is_allowed_origin(business, origin) else "",
                    "service": request.GET.get("service", ""),
                    "staff": request.GET.get("staff", ""),
                    "maxItems": MAX_VISIT_ITEMS,
                    "firstWeekday": first_weekday(),
                    # The salon's today: the day picker's first day (the visitor's clock may be off).
                    "today": timezone.localdate(timezone=business.zone).isoformat(),
                },
            },
        )
    response["Content-Security-Policy"] = content_security_policy(frame_ancestors(business))
    return response


@cache
def embed_script() -> tuple[bytes, str]:
    body = EMBED_SCRIPT.read_bytes()
    return body, hashlib.sha256(body).hexdigest()[:16]


@condition(etag_func=lambda request: embed_script()[1])
def embed_script_view(request):
    """/widget-embed.js and /embed-widget.js: the same script, cached by browsers for an hour."""
    body, _ = embed_script()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
