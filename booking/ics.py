"""Calendar invites (RFC 5545) for appointments: one builder for email and the portal.

UID is stable per appointment, SEQUENCE is the appointment's `sequence` (bumped on every
change), METHOD is REQUEST for a booking or change and CANCEL for a cancellation. Times
carry the salon's TZID with its VTIMEZONE, so calendar apps show the salon's local time.
"""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from booking.models import Appointment
from booking.selectors import visit_items

PRODID = "-//Chairtime//Bookings//EN"


def appointment_uid(appointment: Appointment) -> str:
    """One event per booking: a visit's invite is its lead appointment's, covering every item."""
    if appointment.visit_id is not None:
        return f"visit-{appointment.visit_id}@chairtime"
    return f"appointment-{appointment.pk}@chairtime"


def appointment_ics(appointment: Appointment) -> bytes:
    """The invite for the appointment as it is now: a request, or a cancel when cancelled."""
    business = appointment.business
    cancelled = appointment.status == Appointment.Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", timezone.now())
    items = visit_items(appointment)
    event.add("dtstart", items[0].start.astimezone(business.zone))
    event.add("dtend", items[-1].end.astimezone(business.zone))
    services = " + ".join(item.service.name for item in items)
    # Translators: a calendar event's title: "Cut + Colour at Salon Alpha".
    event.add("summary", _("%(services)s at %(salon)s") % {"services": services, "salon": business.name})
    # Translators: one service of a calendar event's description: "Cut with Ana".
    who_does_what = _("%(service)s with %(staff)s")
    with_whom = "; ".join(who_does_what % {"service": i.service.name, "staff": i.staff.name} for i in items)
    # Translators: a calendar event's description: who does what, then the link to manage the booking.
    description = _("%(services)s. Manage: %(url)s") % {"services": with_whom, "url": manage_url(appointment)}
    event.add("description", description)
    if business.address:
        event.add("location", business.address.replace("\n", ", "))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("url", manage_url(appointment))
    if business.email:
        organizer = vCalAddress(f"mailto:{business.email}")
        organizer.params["cn"] = business.name
        event["organizer"] = organizer
    if appointment.customer.email:  # a client the salon knows by phone only has no address
        attendee = vCalAddress(f"mailto:{appointment.customer.email}")
        attendee.params["cn"] = appointment.customer.full_name or appointment.customer.email
        attendee.params["role"] = "REQ-PARTICIPANT"
        event.add("attendee", attendee)
    calendar.add_component(event)
    # A VTIMEZONE covering the years around the appointment keeps the invite small.
    year = appointment.start.year
    calendar.add_missing_timezones(first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))
    return calendar.to_ical()


def manage_url(appointment: Appointment) -> str:
    return f"{settings.SITE_URL}{reverse('customer-appointment', args=[appointment.pk])}"
