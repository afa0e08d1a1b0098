"""The customer portal (server-rendered): a salon's page, booking, history, changes.

Every rule lives in booking.services / booking.selectors; these views only read the
request, call them, and render. Booking works without JavaScript: each step is a GET
with the choices so far in the query string, so a choice survives signing in (the
login page returns to the same URL); only the final confirmation is a POST.
"""

import json
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.errors import SlotUnavailable
from booking.ics import appointment_ics
from booking.models import Appointment
from booking.selectors import (
    available_slots,
    customer_appointments,
    customer_data,
    customer_window,
    is_upcoming,
    nearest_slots,
    open_days,
    slots_by_day,
)
from booking.services import (
    Actor,
    appointment_book_for_user,
    appointment_cancel,
    appointment_is_changeable_by_customer,
    appointment_reschedule,
    customer_erase,
)
from businesses.models import Business, Service, StaffMember, Weekday
from businesses.selectors import active_services, active_staff, business_by_id, performs, staff_performing
from config.api_fields import parse_uuid
from config.errors import DomainError
from config.inputs import reject_nul_characters, within_input_range
from customers.services import customer_for_user
from portal.forms import BookingNotesForm, CancelForm, valid_input

DAYS_SHOWN = 14


def salon_or_404(value) -> Business:
    business = business_by_id(value)
    if business is None:
        raise Http404(_("No such salon."))
    return business


def customer_actor(request) -> Actor:
    return Actor(user=request.user, label=request.user.email)


def weekly_hours(business: Business) -> list[tuple[str, list]]:
    hours: dict[int, list] = {day.value: [] for day in Weekday}
    for interval in business.opening_hours.all():
        hours[interval.weekday].append(interval)
    return [(Weekday(day).label, intervals) for day, intervals in hours.items()]


# --- the salon's page and "your salons" -----------------------------------------------------


def portal(request):
    if not request.GET.get("business"):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('customer-login')}?{urlencode({'next': request.get_full_path()})}")
        customer = customer_for_user(request.user)
        relationships = customer.business_relationships.select_related("business").order_by("business__name")
        return render(request, "customer/salons.html", {"customer": customer, "relationships": relationships})
    return salon_page(request, salon_or_404(request.GET["business"]))


def landing(request):
    """`/`: the salon's page when there is one salon, else the list of salons; both link
    to the staff admin."""
    salons = list(Business.objects.order_by("name"))
    if len(salons) == 1:
        return salon_page(request, salons[0], staff_link=True)
    return render(request, "customer/landing.html", {"salons": salons})


def salon_page(request, business: Business, *, staff_link: bool = False):
    upcoming = []
    if request.user.is_authenticated:
        upcoming = list(
            customer_appointments(
                customer_for_user(request.user), status="upcoming", business_id=business.pk, now=timezone.now()
            ).select_related("service", "staff")
        )
    return render(
        request,
        "customer/portal.html",
        {
            "business": business,
            "services": active_services(business),
            "staff": active_staff(business),
            "hours": weekly_hours(business),
            "upcoming": upcoming,
            "staff_link": staff_link,
        },
    )


# --- booking --------------------------------------------------------------------------------


def chosen(model, business: Business, value):
    pk = parse_uuid(value)
    return model.objects.filter(business=business, pk=pk, is_active=True).first() if pk else None


def parse_day(value) -> date | None:
    """A YYYY-MM-DD date in the input range, or None (the page then starts from today)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day and within_input_range(day) else None


def parse_start(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment if moment and moment.tzinfo and within_input_range(moment) else None


def day_picker(business, service, staff, *, first_day, day, window, exclude_appointment=None) -> dict:
    """Two weeks of days from `first_day` (today at the earliest) with their free-slot counts,
    the chosen day (or the first with free times) and its times; one engine call."""
    today = timezone.localdate(timezone=business.zone)
    first_day = max(first_day or today, today)
    slots = available_slots(
        business,
        service,
        first_day=first_day,
        days=DAYS_SHOWN,
        staff=staff,
        window=window,
        exclude_appointment=exclude_appointment,
    )
    by_day = slots_by_day(slots, business.zone)
    days = [first_day + timedelta(days=i) for i in range(DAYS_SHOWN)]
    opening = open_days(business, first_day=first_day, days=DAYS_SHOWN)
    day = day if day in days else next((d for d in days if by_day.get(d)), None)
    return {
        "days": [{"date": d, "count": len(by_day.get(d, ())), "closed": d not in opening} for d in days],
        "day": day,
        "times": by_day.get(day, []) if day else [],
        "earlier": first_day - timedelta(days=DAYS_SHOWN) if first_day > today else None,
        "later": first_day + timedelta(days=DAYS_SHOWN),
    }


def booking_state(request, business: Business) -> dict:
    """The choices so far, read from the query string (or the confirmation form)."""
    source = request.POST if request.method == "POST" else request.GET
    service = chosen(Service, business, source.get("service"))
    staff_value = source.get("staff", "")
    staff = chosen(StaffMember, business, staff_value) if staff_value not in ("", "any") else None
    if service and staff and not performs(staff, service):
        staff, staff_value = None, ""
    return {
        "service": service,
        "staff": staff,
        "staff_value": "any" if staff_value == "any" or (staff_value and not staff) else staff_value,
        "day": parse_day(source.get("date")),
        "start": parse_start(source.get("start")),
        "first_day": parse_day(source.get("from")),
    }


def step_url(business: Business, **params) -> str:
    query = {"business": str(business.pk), **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{reverse('customer-book')}?{urlencode(query)}"


@require_http_methods(["GET", "POST"])
def book(request):
    business = salon_or_404(request.GET.get("business") or request.POST.get("business"))
    state = booking_state(request, business)
    if request.method == "POST":
        return book_confirm(request, business, state)
    return render_booking(request, business, state)


def render_booking(request, business: Business, state: dict, *, error: str = "", alternatives=(), status=200):
    service, staff, day = state["service"], state["staff"], state["day"]
    window = customer_window(business, now=timezone.now())
    context = {
        "business": business,
        "state": state,
        "error": error,
        "alternatives": alternatives,
        "zone_name": business.timezone,
        "step_url": step_url,
    }
    staff_param = str(staff.pk) if staff else state["staff_value"]
    if service is None:
        context.update(step="service", services=active_services(business))
    elif not state["staff_value"]:
        context.update(step="staff", staff_choices=staff_performing(business, service))
    elif state["start"] is None or error:
        picker = day_picker(business, service, staff, first_day=state["first_day"], day=day, window=window)
        context.update(step="time", staff_param=staff_param, **picker)
    else:
        context.update(step="confirm", staff_param=staff_param)
    template = "customer/book_step.html" if request.GET.get("partial") else "customer/book.html"
    return render(request, template, context, status=status)


def book_confirm(request, business: Business, state: dict):
    if not request.user.is_authenticated:
        query = {k: request.POST.get(k, "") for k in ("service", "staff", "date", "start")}
        login = reverse("customer-login")
        return redirect(f"{login}?{urlencode({'next': step_url(business, **query), 'business': business.pk})}")
    if state["service"] is None or state["start"] is None:
        return redirect(step_url(business))
    try:
        reject_nul_characters(request.POST)
        appointment = appointment_book_for_user(
            user=request.user,
            as_customer=True,
            business=business,
            service=state["service"],
            staff=state["staff"],
            start=state["start"],
            source=Appointment.Source.PORTAL,
            notes=valid_input(BookingNotesForm, request.POST)["notes"],
        )
    except SlotUnavailable:
        alternatives = nearest_slots(
            business,
            state["service"],
            around=state["start"],
            staff=state["staff"],
            window=customer_window(business, now=timezone.now()),
        )
        message = _("Sorry, that time was just taken. Here are the nearest free times.")
        return render_booking(request, business, state, error=message, alternatives=alternatives, status=409)
    except DomainError as error:
        return render_booking(request, business, state, error=error.message, status=error.status_code)
    return redirect(f"{reverse('customer-appointment', args=[appointment.pk])}?booked=1")


# --- one appointment: details, calendar file, cancel, reschedule ----------------------------------


def own_appointment(request, appointment_id) -> Appointment:
    pk = parse_uuid(appointment_id)
    customer = customer_for_user(request.user)
    appointment = (
        Appointment.objects.select_related("business", "service", "staff", "customer")
        .filter(pk=pk, customer=customer)
        .first()
        if pk
        else None
    )
    if appointment is None:
        raise Http404(_("No such appointment."))
    return appointment


@login_required
def appointment_detail(request, appointment_id):
    appointment = own_appointment(request, appointment_id)
    return render(
        request,
        "customer/appointment.html",
        {
            "appointment": appointment,
            "business": appointment.business,
            "booked": "booked" in request.GET,
            "changeable": appointment_is_changeable_by_customer(appointment, now=timezone.now()),
        },
    )


@login_required
def appointment_calendar(request, appointment_id):
    appointment = own_appointment(request, appointment_id)
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def appointment_cancel_page(request, appointment_id):
    appointment = own_appointment(request, appointment_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            reject_nul_characters(request.POST)
            appointment_cancel(
                appointment=appointment,
                by=customer_actor(request),
                reason=valid_input(CancelForm, request.POST)["reason"],
            )
        except DomainError as failure:
            error, status = failure.message, failure.status_code
        else:
            return redirect(f"{reverse('customer-history')}?cancelled={appointment.pk}")
    return render(
        request,
        "customer/cancel.html",
        {"appointment": appointment, "business": appointment.business, "error": error},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_reschedule_page(request, appointment_id):
    appointment = own_appointment(request, appointment_id)
    business, error, status = appointment.business, "", 200
    if request.method == "POST":
        start = parse_start(request.POST.get("start"))
        try:
            reject_nul_characters(request.POST)
            if start is None:
                raise SlotUnavailable()
            appointment_reschedule(appointment=appointment, start=start, by=customer_actor(request))
        except DomainError as failure:
            error, status = failure.message, failure.status_code
        else:
            return redirect(f"{reverse('customer-appointment', args=[appointment.pk])}?rescheduled=1")
    picker = day_picker(
        business,
        appointment.service,
        appointment.staff,
        first_day=parse_day(request.GET.get("from")),
        day=parse_day(request.GET.get("date")),
        window=customer_window(business, now=timezone.now()),
        exclude_appointment=appointment,
    )
    return render(
        request,
        "customer/reschedule.html",
        {
            "appointment": appointment,
            "business": business,
            "error": error,
            "changeable": appointment_is_changeable_by_customer(appointment, now=timezone.now()),
            **picker,
        },
        status=status,
    )


# --- history --------------------------------------------------------------------------------------


@login_required
def history(request):
    customer = customer_for_user(request.user)
    business = business_by_id(request.GET["business"]) if request.GET.get("business") else None
    now = timezone.now()
    appointments = list(
        customer_appointments(
            customer, status=None, business_id=business.pk if business else None, now=now
        ).select_related("service", "staff")
    )
    relationships = customer.business_relationships.select_related("business").order_by("business__name")
    if business:
        relationships = relationships.filter(business=business)
    return render(
        request,
        "customer/history.html",
        {
            "business": business,
            "upcoming": sorted((a for a in appointments if is_upcoming(a, now)), key=lambda a: a.start),
            "past": [a for a in appointments if not is_upcoming(a, now)],
            "relationships": relationships,
            "cancelled": request.GET.get("cancelled"),
            "changeable": {a.pk for a in appointments if appointment_is_changeable_by_customer(a, now=now)},
        },
    )


# --- account --------------------------------------------------------------------------------------


@login_required
def account_export(request):
    data = customer_data(customer_for_user(request.user))
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-chairtime-data.json"'
    return response


@login_required
@require_http_methods(["POST"])
def account_delete(request):
    from django.contrib.auth import logout

    if request.POST.get("confirm") != "delete":
        return redirect(f"{reverse('customer-account')}?delete=confirm")
    customer_erase(customer=customer_for_user(request.user))
    logout(request)
    return render(request, "customer/deleted.html")
