"""The customer portal (server-rendered): a salon's page, booking, history, changes.

Every rule lives in booking.services / booking.selectors; these views only read the
request, call them, and render. Booking works without JavaScript: each step is a GET
with the choices so far in the query string, so a choice survives signing in (the
login page returns to the same URL); only the final confirmation is a POST.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from booking.api.holds import may_hold_now
from booking.errors import SlotUnavailable
from booking.holds import Hold, hold_create
from booking.ics import appointment_ics
from booking.models import OCCUPYING_STATUSES, Appointment, Visit
from booking.selectors import (
    Holds,
    available_slots,
    customer_appointments,
    customer_data,
    customer_window,
    hold_token_hash,
    holds_now,
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
from booking.visits import MAX_VISIT_ITEMS, items_changeable_by_customer, visit_available_slots, visit_book
from businesses.models import Business, Service, StaffMember, Weekday
from businesses.selectors import active_services, active_staff, business_by_id, performs, staff_performing
from config.api_fields import parse_uuid
from config.errors import DomainError
from config.inputs import reject_nul_characters, within_input_range
from config.languages import use_business_language
from customers.errors import TooManyRequests
from customers.services import customer_for_user
from portal.forms import BookingNotesForm, CancelForm, valid_input

DAYS_SHOWN = 14


def salon_or_404(request, value) -> Business:
    """The salon a page is about; its pages speak its default language unless asked otherwise."""
    business = business_by_id(value)
    if business is None:
        raise Http404(_("No such salon."))
    use_business_language(request, business)
    return business


def customer_actor(request) -> Actor:
    return Actor(user=request.user, label=request.user.email)


def fold_visits(appointments) -> list[Appointment]:
    """One entry per booking, in the order given: a visit's items (of those given) folded
    into its first standing one (or its first, when none stands), with `visit_items` the
    items shown (the standing ones, or all when none stands); a single appointment's
    `visit_items` is itself."""
    groups: dict = {}
    for appointment in appointments:
        groups.setdefault(appointment.visit_id or appointment.pk, []).append(appointment)
    folded = []
    for items in groups.values():
        items.sort(key=lambda a: (a.start, a.pk))
        shown = [a for a in items if a.status in OCCUPYING_STATUSES] or items
        shown[0].visit_items = shown
        shown[0].all_items = items
        folded.append(shown[0])
    return folded


def weekly_hours(business: Business) -> list[tuple[str, list]]:
    hours: dict[int, list] = {day.value: [] for day in Weekday}
    for interval in business.opening_hours.all():
        hours[interval.weekday].append(interval)
    return [(str(Weekday(day).label), intervals) for day, intervals in hours.items()]


# --- the salon's page and "your salons" -----------------------------------------------------


def portal(request):
    if not request.GET.get("business"):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('customer-login')}?{urlencode({'next': request.get_full_path()})}")
        customer = customer_for_user(request.user)
        relationships = customer.business_relationships.select_related("business").order_by("business__name")
        return render(request, "customer/salons.html", {"customer": customer, "relationships": relationships})
    return salon_page(request, salon_or_404(request, request.GET["business"]))


def landing(request):
    """`/`: the salon's page when there is one salon, else the list of salons; both link
    to the staff admin."""
    salons = list(Business.objects.order_by("name"))
    if len(salons) == 1:
        use_business_language(request, salons[0])
        return salon_page(request, salons[0], staff_link=True)
    return render(request, "customer/landing.html", {"salons": salons})


def salon_page(request, business: Business, *, staff_link: bool = False):
    upcoming = []
    if request.user.is_authenticated:
        upcoming = fold_visits(
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


def day_picker(business, find, *, first_day, day) -> dict:
    """Two weeks of days from `first_day` (today at the earliest) with their free-slot counts,
    the chosen day (or the first with free times) and its times; `find(first_day, days)`
    is the one engine call (an appointment's or a visit's slots)."""
    today = timezone.localdate(timezone=business.zone)
    first_day = max(first_day or today, today)
    by_day = slots_by_day(find(first_day, DAYS_SHOWN), business.zone)
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


@dataclass(frozen=True)
class Item:
    """One chosen service and who does it (`staff_value`: a staff id, "any", or "" not yet)."""

    service: Service
    staff: StaffMember | None
    staff_value: str


def chosen_items(business: Business, services: list[str], staff: list[str]) -> list[Item]:
    """The services chosen so far, in order, each with its staff choice. Reading stops at the
    first unknown service or staff member (a stale link): what follows it is asked again."""
    items: list[Item] = []
    for index, value in enumerate(services[:MAX_VISIT_ITEMS]):
        service = chosen(Service, business, value)
        if service is None:
            break
        staff_value = staff[index] if index < len(staff) else ""
        member = chosen(StaffMember, business, staff_value) if staff_value not in ("", "any") else None
        if staff_value not in ("", "any") and (member is None or not performs(member, service)):
            staff_value = ""
        items.append(Item(service, member, staff_value))
        if not staff_value:
            break
    return items


def booking_state(request, business: Business) -> dict:
    """The choices so far, read from the query string (or the confirmation form): `service`
    and `staff` repeat, one pair per service of the visit."""
    source = request.POST if request.method == "POST" else request.GET
    items = chosen_items(business, source.getlist("service"), source.getlist("staff"))
    return {
        "items": items,
        "choices": choices_of(items),
        "adding": bool(source.get("add")) and 0 < len(items) < MAX_VISIT_ITEMS and bool(items[-1].staff_value),
        "day": parse_day(source.get("date")),
        "start": parse_start(source.get("start")),
        "first_day": parse_day(source.get("from")),
    }


def choices_of(items: list[Item]) -> dict[str, list[str]]:
    """The items as query parameters (only the last item may still lack its staff choice)."""
    return {"service": [str(i.service.pk) for i in items], "staff": [i.staff_value for i in items if i.staff_value]}


def step_url(business: Business, choices: dict | None = None, **params) -> str:
    """The booking page with `choices` so far; `params` add to them (a `service` or `staff`
    given here comes after the ones chosen)."""
    query: dict = {"business": str(business.pk), **{key: list(values) for key, values in (choices or {}).items()}}
    for key, value in params.items():
        if value in (None, ""):
            continue
        query[key] = [*query[key], value] if isinstance(query.get(key), list) else value
    return f"{reverse('customer-book')}?{urlencode(query, doseq=True)}"


def slot_finder(business: Business, items: list[Item], window):
    """The engine call for the chosen items: an appointment's slots, or a visit's."""
    if len(items) == 1:
        item = items[0]
        return lambda first_day, days: available_slots(
            business,
            item.service,
            first_day=first_day,
            days=days,
            staff=item.staff,
            window=window,
            version=business.availability_version,  # loaded with the business by this request
        )
    pairs = [(item.service, item.staff) for item in items]
    return lambda first_day, days: visit_available_slots(
        business, pairs, first_day=first_day, days=days, window=window
    )


@require_http_methods(["GET", "POST"])
def book(request):
    business = salon_or_404(request, request.GET.get("business") or request.POST.get("business"))
    state = booking_state(request, business)
    if request.method == "POST":
        return book_confirm(request, business, state)
    return render_booking(request, business, state)


def render_booking(request, business: Business, state: dict, *, error: str = "", alternatives=(), status=200):
    items = state["items"]
    window = customer_window(business, now=timezone.now())
    context = {
        "business": business,
        "state": state,
        "error": error,
        "alternatives": alternatives,
        "zone_name": business.timezone,
        # each item with the link that leaves it out
        "summary_rows": [
            (item, step_url(business, choices_of([*items[:i], *items[i + 1 :]]))) for i, item in enumerate(items)
        ],
        "total_minutes": sum(i.service.duration_minutes for i in items),
        "total_price": sum((i.service.price for i in items), Decimal(0)),
        "max_items": MAX_VISIT_ITEMS,
    }
    if not items or state["adding"]:
        context.update(step="service", services=active_services(business))
    elif not items[-1].staff_value:
        context.update(step="staff", pending=items[-1], staff_choices=staff_performing(business, items[-1].service))
    elif state["start"] is None or error:
        find = slot_finder(business, items, window)
        context.update(step="time", **day_picker(business, find, first_day=state["first_day"], day=state["day"]))
    else:
        held = hold_for_browser(request, business, items, state["start"])
        if isinstance(held, DomainError):
            return render_booking(request, business, state, error=held.message, status=held.status_code)
        own = holds_now(own=hold_token_hash(held.token))
        planned = planned_visit(business, items, state["start"], window, holds=own)
        if len(items) > 1 and planned is None:  # gone since the times were shown
            message = _("That time is no longer free. Please choose another time.")
            return render_booking(request, business, state, error=message, status=409)
        context.update(
            step="confirm",
            planned_rows=list(zip(items, planned.items, strict=True)) if planned else [],
            held_until=held.expires_at,
        )
    template = "customer/book_step.html" if request.GET.get("partial") else "customer/book.html"
    return render(request, template, context, status=status)


def planned_visit(business: Business, items: list[Item], start: datetime, window, *, holds: Holds):
    """For a visit: its slot at `start` (each item's times and who may do it), or None if it
    is no longer free (`holds`: which slot holds count); for one service: None, nothing to plan."""
    if len(items) == 1:
        return None
    pairs = [(item.service, item.staff) for item in items]
    day = timezone.localdate(start, business.zone)
    slots = visit_available_slots(business, pairs, first_day=day, days=1, window=window, holds=holds)
    return next((slot for slot in slots if slot.start == start), None)


def held_key(business: Business) -> str:
    return f"hold:{business.pk}"


def hold_for_browser(request, business: Business, items: list[Item], start: datetime) -> Hold | DomainError:
    """Hold the chosen time while the customer signs in (DESIGN §12): one hold per browser
    and salon, replaced by the next choice, kept in the session and spent by the booking."""
    if not may_hold_now(request, business.pk):
        return TooManyRequests(
            _("You have chosen a time too often in the last minute. Please wait a moment and choose again.")
        )
    user = request.user
    try:
        hold = hold_create(
            business=business,
            items=[(item.service, item.staff) for item in items],
            start=start,
            customer=customer_for_user(user) if user.is_authenticated else None,
            replaces=request.session.get(held_key(business), ""),
        )
    except SlotUnavailable:
        return SlotUnavailable(_("That time is no longer free. Please choose another time."))
    except DomainError as error:
        return error
    request.session[held_key(business)] = hold.token
    return hold


def book_confirm(request, business: Business, state: dict):
    items = state["items"]
    if not request.user.is_authenticated:
        login = reverse("customer-login")
        back = step_url(business, state["choices"], date=request.POST.get("date"), start=request.POST.get("start"))
        return redirect(f"{login}?{urlencode({'next': back, 'business': business.pk})}")
    if len(request.POST.getlist("service")) > MAX_VISIT_ITEMS:
        message = ngettext(
            "A visit has at most %(count)d service.", "A visit has at most %(count)d services.", MAX_VISIT_ITEMS
        ) % {"count": MAX_VISIT_ITEMS}
        return render_booking(request, business, state, error=message, status=400)
    if not items or not items[-1].staff_value or state["start"] is None:
        return redirect(step_url(business, state["choices"]))
    booking = {"start": state["start"], "source": Appointment.Source.PORTAL}
    if len(items) == 1:
        booking.update(service=items[0].service, staff=items[0].staff)
    else:
        booking.update(book=visit_book, items=[(item.service, item.staff) for item in items])
    try:
        reject_nul_characters(request.POST)
        booked = appointment_book_for_user(
            user=request.user,
            as_customer=True,
            business=business,
            notes=valid_input(BookingNotesForm, request.POST)["notes"],
            hold_token=request.session.get(held_key(business), ""),
            **booking,
        )
    except SlotUnavailable:
        window = customer_window(business, now=timezone.now())
        alternatives = (
            nearest_slots(business, items[0].service, around=state["start"], staff=items[0].staff, window=window)
            if len(items) == 1
            else ()
        )
        message = _("Sorry, that time was just taken. Here are the nearest free times.")
        if len(items) > 1:
            message = _("Sorry, that time was just taken. Please choose another time.")
        return render_booking(request, business, state, error=message, alternatives=alternatives, status=409)
    except DomainError as error:
        return render_booking(request, business, state, error=error.message, status=error.status_code)
    request.session.pop(held_key(business), None)  # spent
    if isinstance(booked, Visit):
        return redirect(f"{reverse('customer-visit', args=[booked.pk])}?booked=1")
    return redirect(f"{reverse('customer-appointment', args=[booked.pk])}?booked=1")


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
    if appointment.visit_id is not None:  # an item is shown, and changed, with its visit
        query = request.GET.urlencode()
        return redirect(f"{reverse('customer-visit', args=[appointment.visit_id])}{'?' if query else ''}{query}")
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


def cancel_page(request, *, cancel: Callable[[str], object], done_url: str, template: str, context: dict):
    """A cancel page (an appointment's or a visit's): the form, and on POST `cancel(reason)`;
    a refusal is the page again with the service's message."""
    error, status = "", 200
    if request.method == "POST":
        try:
            reject_nul_characters(request.POST)
            cancel(valid_input(CancelForm, request.POST)["reason"])
        except DomainError as failure:
            error, status = failure.message, failure.status_code
        else:
            return redirect(done_url)
    return render(request, template, {**context, "error": error}, status=status)


def move_page(
    request,
    business: Business,
    *,
    move: Callable[[datetime], object],
    find,
    done_url: str,
    template: str,
    context: dict,
):
    """A reschedule page (an appointment's or a visit's): the day picker over `find`'s slots,
    and on POST `move(start)`; a refusal is the page again with the service's message."""
    error, status = "", 200
    if request.method == "POST":
        start = parse_start(request.POST.get("start"))
        try:
            reject_nul_characters(request.POST)
            if start is None:
                raise SlotUnavailable()
            move(start)
        except DomainError as failure:
            error, status = failure.message, failure.status_code
        else:
            return redirect(done_url)
    picker = day_picker(
        business, find, first_day=parse_day(request.GET.get("from")), day=parse_day(request.GET.get("date"))
    )
    return render(request, template, {**context, "error": error, **picker}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_cancel_page(request, appointment_id):
    appointment = own_appointment(request, appointment_id)
    if appointment.visit_id is not None:  # a visit's items change only with their visit
        return redirect(reverse("customer-visit-cancel", args=[appointment.visit_id]))
    return cancel_page(
        request,
        cancel=lambda reason: appointment_cancel(appointment=appointment, by=customer_actor(request), reason=reason),
        done_url=f"{reverse('customer-history')}?cancelled={appointment.pk}",
        template="customer/cancel.html",
        context={"appointment": appointment, "business": appointment.business},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_reschedule_page(request, appointment_id):
    appointment = own_appointment(request, appointment_id)
    if appointment.visit_id is not None:  # a visit's items change only with their visit
        return redirect(reverse("customer-visit-reschedule", args=[appointment.visit_id]))
    business = appointment.business
    window = customer_window(business, now=timezone.now())
    return move_page(
        request,
        business,
        move=lambda start: appointment_reschedule(appointment=appointment, start=start, by=customer_actor(request)),
        find=lambda first_day, days: available_slots(
            business,
            appointment.service,
            first_day=first_day,
            days=days,
            staff=appointment.staff,
            window=window,
            exclude_appointment=appointment,
        ),
        done_url=f"{reverse('customer-appointment', args=[appointment.pk])}?rescheduled=1",
        template="customer/reschedule.html",
        context={
            "appointment": appointment,
            "business": business,
            "changeable": appointment_is_changeable_by_customer(appointment, now=timezone.now()),
        },
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
    # A booking is upcoming while any of its items is (a visit under way still is).
    bookings = fold_visits(appointments)
    items = {b.pk: b.all_items for b in bookings}  # type: ignore[attr-defined]
    upcoming = sorted((b for b in bookings if any(is_upcoming(a, now) for a in items[b.pk])), key=lambda b: b.start)
    past = [b for b in bookings if b not in upcoming]
    return render(
        request,
        "customer/history.html",
        {
            "business": business,
            "upcoming": upcoming,
            "past": past,
            "relationships": relationships,
            "cancelled": request.GET.get("cancelled"),
            "changeable": {
                b.pk
                for b in bookings
                if (
                    items_changeable_by_customer(items[b.pk], now=now)
                    if b.visit_id
                    else appointment_is_changeable_by_customer(b, now=now)
                )
            },
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
