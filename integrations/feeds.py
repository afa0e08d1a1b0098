"""Private iCalendar feeds (DESIGN §11): a staff member's appointments, or the whole salon's,
for their phone's calendar app to subscribe to.

A feed lists the appointments that stand (confirmed, checked in, completed) from 30 days
back to the salon's booking horizon. Times are in UTC, with the salon's zone named
(X-WR-TIMEZONE); UIDs are the customer invites' (booking/ics.py), so one booking is one event
everywhere. Calendar apps poll: `feed_version` answers "has anything changed?" with one
aggregate query, for the ETag and Last-Modified.
"""

import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from booking.ics import PRODID, appointment_uid
from booking.models import Appointment
from booking.selectors import customer_window
from businesses.models import Business, StaffMember
from customers.models import CustomerBusinessRelationship
from integrations.models import CalendarFeed, new_feed_token

DAYS_BACK = 30
SHOWN_STATUSES = (Appointment.Status.CONFIRMED, Appointment.Status.ARRIVED, Appointment.Status.COMPLETED)


def feed_for(business: Business, staff: StaffMember | None = None) -> CalendarFeed:
    """The feed of `staff` (None: of the salon), made the first time it is asked for."""
    feed, _ = CalendarFeed.objects.get_or_create(business=business, staff=staff)
    return feed


def feed_url(feed: CalendarFeed) -> str:
    name = "calendar-staff-feed" if feed.staff_id else "calendar-business-feed"
    return f"{settings.SITE_URL}{reverse(name, args=[feed.token])}"


def feed_regenerate(feed: CalendarFeed) -> CalendarFeed:
    """A new secret URL; the old one is a 404 from now on."""
    feed.token = new_feed_token()
    feed.save(update_fields=["token"])
    return feed


def feed_by_token(token: str, *, of_staff: bool) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_related("business", "staff")
        .filter(token=token, staff__isnull=not of_staff)
        .first()
    )


def scope(feed: CalendarFeed, now: datetime):
    """Every appointment the feed may show, whatever its status, ending from DAYS_BACK ago."""
    found = Appointment.objects.filter(business=feed.business_id, end__gte=now - timedelta(days=DAYS_BACK))
    return found.filter(staff=feed.staff_id) if feed.staff_id else found


def feed_version(feed: CalendarFeed, now: datetime) -> tuple[str, datetime]:
    """(ETag, Last-Modified). Any booking, change or cancellation in the feed's scope changes
    the count or the sum of the appointments' `sequence` (bumped by each); renamed services,
    staff or salon bump the salon's availability version; the window moves each day.
    Last-Modified is when the ETag last changed (recorded on the feed)."""
    seen = scope(feed, now).aggregate(count=Count("id"), versions=Sum("sequence"), changed=Max("updated_at"))
    business = feed.business
    today = timezone.localdate(now, business.zone)
    parts = [feed.token, today, seen["count"], seen["versions"], seen["changed"], business.availability_version]
    etag = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    if etag != feed.version:  # it changed since it was last served (whatever changed it)
        feed.version, feed.changed_at = etag, now
        CalendarFeed.objects.filter(pk=feed.pk).update(version=etag, changed_at=now)
    return etag, feed.changed_at or now


def feed_ics(feed: CalendarFeed, now: datetime) -> bytes:
    business = feed.business
    horizon = customer_window(business, now=now).not_after  # the end of the horizon's last day
    shown = list(
        scope(feed, now)
        .filter(status__in=SHOWN_STATUSES, start__lt=horizon)
        .select_related("service", "staff", "customer")
        .order_by("start", "pk")
    )
    clients = {
        row.customer_id: row
        for row in CustomerBusinessRelationship.objects.filter(
            business=business, customer__in={a.customer_id for a in shown}
        ).select_related("customer")
    }
    # A visit is one event, as in the customer's invite (for a staff feed: their items of it).
    bookings: dict[str, list[Appointment]] = defaultdict(list)
    for appointment in shown:
        bookings[appointment_uid(appointment)].append(appointment)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{feed.staff.name} · {business.name}" if feed.staff else business.name)
    calendar.add("x-wr-timezone", business.timezone)
    calendar.add("x-published-ttl", "PT15M")
    for uid, items in bookings.items():
        calendar.add_component(booking_event(uid, items, clients, with_staff=feed.staff_id is None))
    return calendar.to_ical()


def booking_event(uid: str, items: list[Appointment], clients: dict, *, with_staff: bool) -> Event:
    first = items[0]
    client = clients.get(first.customer_id)
    client_name = client.display_name if client else str(first.customer)
    what = " + ".join(item.service.name for item in items)
    who = f" ({', '.join(dict.fromkeys(item.staff.name for item in items))})" if with_staff else ""
    changed = max(item.updated_at for item in items)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", max(item.sequence for item in items))
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("dtstart", min(item.start for item in items).astimezone(UTC))
    event.add("dtend", max(item.end for item in items).astimezone(UTC))
    event.add("summary", f"{what} · {client_name}{who}")
    notes = "\n".join(dict.fromkeys(item.notes for item in items if item.notes))
    admin = f"{settings.SITE_URL}{reverse('admin:booking_appointment_change', args=[first.pk])}"
    event.add("description", f"{notes}\n\n{admin}".strip())
    event.add("status", "CONFIRMED")
    return event
