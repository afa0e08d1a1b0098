"""The salon's brand as a stylesheet: pages link it instead of an inline <style>, so the
Content-Security-Policy needs no 'unsafe-inline'."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import condition, require_GET

from businesses.selectors import business_by_id


def brand_color_of(request, business_id) -> str | None:
    """The colour pages use (its ETag too): Business.readable_brand_color."""
    business = business_by_id(business_id)
    return business.readable_brand_color if business else None


@require_GET
@condition(etag_func=brand_color_of)
def brand_css(request, business_id):
    color = brand_color_of(request, business_id)
    if color is None:
        raise Http404("No such salon.")
    # brand_color is validated as #RRGGBB, so it cannot break out of the rule.
    response = HttpResponse(f":root {{ --brand: {color}; }}\n", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
