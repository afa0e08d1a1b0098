"""The calendar feeds' URLs: no sign-in (calendar apps cannot); the token is the key."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from integrations.feeds import feed_by_token, feed_ics, feed_version


def feed_view(request: HttpRequest, token: str, *, of_staff: bool) -> HttpResponse:
    feed = feed_by_token(token, of_staff=of_staff)
    if feed is None:
        raise Http404("No such calendar feed (its link may have been replaced).")
    now = timezone.now()
    etag, modified = feed_version(feed, now)
    headers = {
        "ETag": f'"{etag}"',
        "Last-Modified": http_date(modified.timestamp()),
        "Cache-Control": "private, no-cache",  # keep it, but ask every time (cheap: a 304)
    }
    unchanged = get_conditional_response(request, etag=headers["ETag"], last_modified=int(modified.timestamp()))
    if unchanged is not None:
        for name, value in headers.items():
            unchanged[name] = value
        return unchanged
    response = HttpResponse(feed_ics(feed, now), content_type="text/calendar; charset=utf-8", headers=headers)
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    return response


@require_safe
def staff_feed(request: HttpRequest, token: str) -> HttpResponse:
    return feed_view(request, token, of_staff=True)


@require_safe
def business_feed(request: HttpRequest, token: str) -> HttpResponse:
    return feed_view(request, token, of_staff=False)
