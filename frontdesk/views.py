"""The front desk in the admin: calendar, booking from a cell, walk-ins, the appointment
panel, time off and the client search. Views parse and show; the booking services decide.

Every view runs behind the admin's login (ChairtimeAdminSite.get_urls) and is scoped like
the rest of the admin: a business the user does not work for, or an appointment of one, is
a 404.
"""

import uuid
from datetime import date, datetime, timedelta
from typing import cast
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from booking.errors import NotAllowed
from booking.models import OCCUPYING_STATUSES, Appointment, WaitlistEntry
from booking.selectors import resources_held
from booking.services import (
    actor_for,
    appointment_book_for_user,
    appointment_cancel,
    appointment_check_in,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
    appointment_walk_in,
    time_off_add,
)
from booking.visits import items_of, visit_cancel
from booking.waitlist import offer_by_hand, waiting_on
from businesses.models import Business, StaffMember, TimeOff
from businesses.selectors import (
    active_resources,
    business_by_id,
    businesses_in_admin,
    may_take_time_off,
    only_business,
    own_column_only,
    sees_column,
)
from config.api_fields import parse_uuid
from config.errors import DomainError
from config.inputs import INPUT_YEARS, within_input_range
from config.locale_format import pattern_date
from config.request_log import note_business
from customers.models import CustomerBusinessRelationship, User
from customers.selectors import search_clients
from frontdesk import calendar
from frontdesk.forms import BookForm, CancelForm, RescheduleForm, TimeOffForm, WalkInForm

VIEWS = ("day", "week", "resources")
SEARCH_RESULTS = 10


def signed_in(request: HttpRequest) -> User:
    """The admin's user (admin_view lets only signed-in staff through)."""
    return cast(User, request.user)


def business_in_scope(request: HttpRequest) -> Business | None:
    """The business asked for (?business=; 404 unless the user works there), else the
    user's only business, else None (the page offers a choice)."""
    businesses = businesses_in_admin(request.user)
    wanted = request.GET.get("business") or request.POST.get("business")
    if wanted:
        business = business_by_id(wanted)
        if business is None or not businesses.filter(pk=business.pk).exists():
            raise Http404("No such salon.")
        return business
    return only_business(request.user)


def choose_business(request: HttpRequest, url_name: str) -> HttpResponse:
    """A member of several salons (or a superuser) picks one; the choice opens `url_name`."""
    choices = businesses_in_admin(request.user).order_by("name")
    return show(
        request,
        "choose_business.html",
        context(request, None, choices=choices, choice_url=reverse(f"admin:{url_name}"), title=_("Choose a salon")),
    )


def required_business(request: HttpRequest) -> Business:
    business = business_in_scope(request)
    if business is None:
        raise Http404("Choose a salon.")
    return business


def columns_of(request: HttpRequest, business: Business) -> list[StaffMember]:
    return calendar.visible_staff(business, own_column_only(request.user, business))


def show(request: HttpRequest, template: str, values: dict) -> HttpResponse:
    """Render with times in the salon's zone (its staff think in its clock)."""
    business = values.get("business")
    with timezone.override(business.zone if business else timezone.get_current_timezone()):
        return render(request, f"admin/frontdesk/{template}", values)


def context(request: HttpRequest, business: Business | None, **extra) -> dict:
    """The admin's context for a front desk page of `business`: the page wears that salon's
    name and brand colour, also for a superuser or a member of several salons."""
    site = admin.site.each_context(request)
    if business is not None:
        site.update(site_header=f"Chairtime · {business.name}", admin_salon=business)
        note_business(business.pk)
    return {
        **site,
        "business": business,
        "zone_name": business.timezone if business else "",
        **extra,
    }


def calendar_url(business: Business, **params) -> str:
    query = {"business": str(business.pk), **{k: v for k, v in params.items() if v not in (None, "")}}
    return f"{reverse('admin:frontdesk-calendar')}?{urlencode(query)}"


def parse_day(request: HttpRequest, business: Business) -> date:
    today = timezone.localdate(timezone.now(), business.zone)
    raw = request.GET.get("date", "")
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        messages.error(request, _("%(value)s is not a date (YYYY-MM-DD); showing today.") % {"value": repr(raw[:20])})
        return today
    if not within_input_range(day):
        message = ngettext(
            "Give a date within %(years)d year of today. Showing today.",
            "Give a date within %(years)d years of today. Showing today.",
            INPUT_YEARS,
        )
        messages.error(request, message % {"years": INPUT_YEARS})
        return today
    return day


def parse_start(raw: str, business: Business) -> datetime | None:
    """A cell's start, as the calendar links it: an ISO instant with its offset, in the
    salon's zone (its `fold` tells a repeated hour's second occurrence); None when unusable."""
    try:
        start = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if start.tzinfo is None or not within_input_range(start):
        return None
    return start.astimezone(business.zone).replace(second=0, microsecond=0)


def at_cell(start: datetime) -> dict[str, object]:
    """A form's initial date, time and fold for a cell's start."""
    return {"date": start.date(), "time": start.time(), "fold": start.fold}


@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    business = business_in_scope(request)
    if business is None:
        return choose_business(request, "frontdesk-calendar")
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "day"
    day = parse_day(request, business)
    staff = columns_of(request, business)
    staff_id = request.GET.get("staff", "")
    member = next((m for m in staff if str(m.pk) == staff_id), None)
    if staff_id and member is None:
        raise Http404("No such staff member here.")
    show_cancelled = request.GET.get("cancelled") == "1"
    moving = moving_appointment(request, business)
    now = timezone.now()
    if view == "week":
        day = day - timedelta(days=day.weekday())
        shown = [member] if member else staff
        loaded = calendar.load(business, shown, first_day=day, days=calendar.WEEK)
        page = calendar.week_view(loaded, member, now=now) if member else calendar.CalendarPage([], [])
        loads = calendar.team_load(loaded) if member is None else []
        step = timedelta(days=7)
    elif view == "resources":
        loaded = calendar.load(business, staff, first_day=day, days=1)
        held = resources_held(loaded.appointments)
        page = calendar.resource_day_view(loaded, active_resources(business), held, now=now)
        loads = []
        step = timedelta(days=1)
    else:
        shown = [member] if member else staff
        loaded = calendar.load(business, shown, first_day=day, days=1)
        page = calendar.day_view(loaded, now=now)
        loads = []
        step = timedelta(days=1)
    link_cells(page, business, moving)
    waitlist = waiting_on(business, day, now=now) if view == "day" else []
    params = {"view": view, "staff": staff_id, "cancelled": "1" if show_cancelled else ""}
    today = timezone.localdate(now, business.zone)
    return show(
        request,
        "calendar.html",
        context(
            request,
            business,
            title=_("Calendar — %(salon)s") % {"salon": business.name},
            view=view,
            day=day,
            waitlist=waitlist,
            week_days=[day + timedelta(days=n) for n in range(7)],
            page=page,
            loads=loads,
            staff=staff,
            member=member,
            show_cancelled=show_cancelled,
            moving=moving,
            is_today=day == today,
            previous_url=calendar_url(business, date=(day - step).isoformat(), **params),
            next_url=calendar_url(business, date=(day + step).isoformat(), **params),
            today_url=calendar_url(business, **params),
            day_url=calendar_url(business, date=day.isoformat(), staff=staff_id),
            week_url=calendar_url(business, date=day.isoformat(), view="week", staff=staff_id),
            resources_url=calendar_url(business, date=day.isoformat(), view="resources"),
            cancelled_url=calendar_url(
                business, date=day.isoformat(), view=view, staff=staff_id, cancelled="" if show_cancelled else "1"
            ),
        ),
    )


def moving_appointment(request: HttpRequest, business: Business) -> Appointment | None:
    wanted = request.GET.get("move")
    if not wanted:
        return None
    return scoped_appointment(request, wanted, business=business)


def link_cells(page: calendar.CalendarPage, business: Business, moving: Appointment | None) -> None:
    """Free cells link to booking there (or, when moving an appointment, to moving it there);
    blocks link to their appointment's panel. (URLs reversed once: a big day has ~1,000 cells.)"""
    target = reverse("admin:frontdesk-reschedule", args=[moving.pk]) if moving else reverse("admin:frontdesk-book")
    placeholder = uuid.UUID(int=0)
    panel = reverse("admin:frontdesk-appointment", args=[placeholder])
    for column in page.columns:
        for cell in column.cells.values():
            if cell.kind in ("free", "processing") and column.staff is not None:
                query = {"business": str(business.pk), "staff": str(column.staff.pk), "start": cell.start.isoformat()}
                cell.url = f"{target}?{urlencode(query)}"
            elif cell.kind == "appointment" and cell.appointment is not None:
                cell.url = panel.replace(str(placeholder), str(cell.appointment.pk))


def scoped_appointment(request: HttpRequest, appointment_id, *, business: Business | None = None) -> Appointment:
    """An appointment of a business the user works for (and in a column they may see)."""
    try:
        pk = uuid.UUID(str(appointment_id))
    except ValueError:
        raise Http404("No such appointment.") from None
    appointments = Appointment.objects.filter(pk=pk, business__in=businesses_in_admin(request.user))
    if business is not None:
        appointments = appointments.filter(business=business)
    appointment = appointments.select_related("business", "customer", "service", "staff").first()
    if appointment is None:
        raise Http404("No such appointment.")
    if not sees_column(request.user, appointment.business, appointment.staff_id):
        raise Http404("No such appointment.")
    return appointment


def refuse(form, error: DomainError) -> None:
    """Show the service's refusal on the form (nothing was saved)."""
    if not error.fields:
        form.add_error(None, error.message)
    for name, problems in (error.fields or {}).items():
        field = {"staff_id": "staff", "service_id": "service"}.get(name, name)
        form.add_error(field if field in form.fields else None, " ".join(map(str, problems)))


@require_http_methods(["GET", "POST"])
def book_view(request: HttpRequest) -> HttpResponse:
    business = required_business(request)
    staff = columns_of(request, business)
    if request.method == "POST":
        form = BookForm(request.POST, business=business, staff=staff)
        if form.is_valid():
            try:
                appointment = appointment_book_for_user(
                    user=signed_in(request),
                    business=business,
                    service=form.cleaned_data["service"],
                    staff=form.cleaned_data["staff"],
                    start=form.start(),
                    customer_details=form.customer_details(),
                    source=form.source,
                    notes=form.cleaned_data["notes"],
                    any_minute=True,  # the desk books any free minute of working time
                    override_holds=form.cleaned_data["override_holds"],
                )
            except DomainError as error:
                refuse(form, error)
            else:
                booked = {"service": appointment.service, "client": appointment.customer}
                messages.success(request, _("Booked %(service)s for %(client)s.") % booked)
                return redirect(appointment_url(appointment))
    else:
        initial: dict[str, object] = {}
        start = parse_start(request.GET.get("start", ""), business)
        if start is not None:
            initial.update(at_cell(start))
        if request.GET.get("staff"):
            initial["staff"] = request.GET["staff"]
        form = BookForm(initial=initial, business=business, staff=staff)
    return show(
        request,
        "book.html",
        context(
            request,
            business,
            title=_("Book an appointment"),
            heading=_("Book an appointment"),
            intro=_(
                "Times in %(zone)s. Existing clients are matched by email, or by the phone this salon has for them."
            )
            % {"zone": business.timezone},
            submit=_("Book"),
            form=form,
            search_url=f"{reverse('admin:frontdesk-client-search')}?business={business.pk}",
        ),
    )


@require_http_methods(["GET", "POST"])
def walk_in_view(request: HttpRequest) -> HttpResponse:
    business = required_business(request)
    staff = columns_of(request, business)
    limited = own_column_only(request.user, business) is not None
    if request.method == "POST":
        form = WalkInForm(request.POST, business=business, staff=staff, limited=limited)
        if form.is_valid():
            try:
                appointment = appointment_walk_in(
                    business=business,
                    service=form.cleaned_data["service"],
                    staff=form.cleaned_data["staff"],
                    by=actor_for(signed_in(request), business),
                    customer_details=form.customer_details(),
                    notes=form.cleaned_data["notes"],
                )
            except DomainError as error:
                refuse(form, error)
            else:
                local = timezone.localtime(appointment.start, business.zone)
                walk_in = {"staff": appointment.staff, "time": f"{local:%H:%M}"}
                messages.success(request, _("Walk-in booked with %(staff)s at %(time)s.") % walk_in)
                return redirect(appointment_url(appointment))
    else:
        form = WalkInForm(initial={"staff": request.GET.get("staff")}, business=business, staff=staff, limited=limited)
    return show(
        request,
        "book.html",
        context(
            request,
            business,
            title=_("Walk-in"),
            heading=_("Walk-in"),
            intro=_("Books from this minute, or the next free one today. A name and phone number are enough."),
            submit=_("Book walk-in"),
            form=form,
            search_url=f"{reverse('admin:frontdesk-client-search')}?business={business.pk}",
        ),
    )


def appointment_url(appointment: Appointment) -> str:
    return reverse("admin:frontdesk-appointment", args=[appointment.pk])


ACTIONS = {
    "check_in": (appointment_check_in, gettext_lazy("Checked in.")),
    "complete": (appointment_complete, gettext_lazy("Completed.")),
    "no_show": (appointment_mark_no_show, gettext_lazy("Marked as a no-show.")),
}


@require_http_methods(["GET", "POST"])
def appointment_view(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = scoped_appointment(request, appointment_id)
    business = appointment.business
    by = actor_for(signed_in(request), business)
    staff = columns_of(request, business)
    local = timezone.localtime(appointment.start, business.zone)
    cancel_form = CancelForm()
    cancel_visit_form = CancelForm(prefix="visit")
    reschedule_form = RescheduleForm(
        initial={"staff": appointment.staff_id, **at_cell(local)},
        business=business,
        staff=staff,
    )
    # The visit's items (every status), each linked where this user may see its column; the
    # whole visit is cancelled only by someone who sees every standing item's column.
    items = items_of(appointment.visit) if appointment.visit else []
    visit_rows = [
        (item, appointment_url(item) if sees_column(request.user, business, item.staff_id) else "") for item in items
    ]
    standing = [item for item, _url in visit_rows if item.status in OCCUPYING_STATUSES]
    whole_visit = bool(standing) and all(url for item, url in visit_rows if item in standing)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ACTIONS:
                service, done = ACTIONS[action]
                service(appointment=appointment, by=by)
                messages.success(request, str(done))
                return redirect(appointment_url(appointment))
            if action == "cancel":
                cancel_form = CancelForm(request.POST)
                if cancel_form.is_valid():
                    appointment_cancel(appointment=appointment, by=by, reason=cancel_form.cleaned_data["reason"])
                    messages.success(request, _("Cancelled."))
                    return redirect(appointment_url(appointment))
            elif action == "cancel_visit" and appointment.visit:
                if not whole_visit:
                    raise NotAllowed(_("Only someone who sees every stylist's column may cancel the whole visit."))
                cancel_visit_form = CancelForm(request.POST, prefix="visit")
                if cancel_visit_form.is_valid():
                    visit_cancel(visit=appointment.visit, by=by, reason=cancel_visit_form.cleaned_data["reason"])
                    messages.success(request, _("The whole visit is cancelled."))
                    return redirect(appointment_url(appointment))
            elif action == "reschedule":
                reschedule_form = RescheduleForm(request.POST, business=business, staff=staff)
                if reschedule_form.is_valid():
                    appointment_reschedule(
                        appointment=appointment,
                        start=reschedule_form.start(),
                        staff=reschedule_form.cleaned_data["staff"],
                        by=by,
                        any_minute=True,
                    )
                    messages.success(request, _("Moved."))
                    return redirect(appointment_url(appointment))
            else:
                messages.error(request, _("Unknown action."))
        except DomainError as error:
            if action == "reschedule":
                refuse(reschedule_form, error)
            else:
                messages.error(request, error.message)
    relationship = (
        CustomerBusinessRelationship.objects.filter(business=business, customer=appointment.customer_id)
        .prefetch_related("client_notes")
        .first()
    )
    return show(
        request,
        "appointment.html",
        context(
            request,
            business,
            title=f"{appointment.service} — {relationship.display_name if relationship else appointment.customer}",
            appointment=appointment,
            local_start=local,
            local_end=timezone.localtime(appointment.end, business.zone),
            relationship=relationship,
            visit_rows=visit_rows,
            whole_visit=whole_visit,
            cancel_visit_form=cancel_visit_form,
            history=appointment.history.all(),
            cancel_form=cancel_form,
            reschedule_form=reschedule_form,
            move_url=calendar_url(business, date=local.date().isoformat(), move=str(appointment.pk)),
            calendar_url=calendar_url(business, date=local.date().isoformat()),
            client_url=reverse("admin:customers_customerbusinessrelationship_change", args=[relationship.pk])
            if relationship
            else "",
        ),
    )


@require_http_methods(["GET", "POST"])
def reschedule_view(request: HttpRequest, appointment_id) -> HttpResponse:
    """Moving to a cell picked in the calendar: confirm (or change) the new time, then move."""
    appointment = scoped_appointment(request, appointment_id)
    business = appointment.business
    staff = columns_of(request, business)
    if request.method == "POST":
        form = RescheduleForm(request.POST, business=business, staff=staff)
        if form.is_valid():
            try:
                appointment_reschedule(
                    appointment=appointment,
                    start=form.start(),
                    staff=form.cleaned_data["staff"],
                    by=actor_for(signed_in(request), business),
                    any_minute=True,
                )
            except DomainError as error:
                refuse(form, error)
            else:
                messages.success(request, _("Moved."))
                return redirect(appointment_url(appointment))
    else:
        start = parse_start(request.GET.get("start", ""), business) or timezone.localtime(
            appointment.start, business.zone
        )
        form = RescheduleForm(
            initial={"staff": request.GET.get("staff") or appointment.staff_id, **at_cell(start)},
            business=business,
            staff=staff,
        )
    return show(
        request,
        "reschedule.html",
        context(request, business, title=_("Move appointment"), appointment=appointment, form=form),
    )


@require_http_methods(["POST"])
def waitlist_offer_view(request: HttpRequest) -> HttpResponse:
    """Offer a waiting client a free time by hand (from the day's waitlist in the calendar)."""
    business = required_business(request)
    pk = parse_uuid(request.POST.get("entry", ""))
    entry = WaitlistEntry.objects.filter(pk=pk, business=business).select_related("business").first() if pk else None
    start = parse_start(request.POST.get("start", ""), business)
    if entry is None or start is None:
        raise Http404("No such waitlist entry.")
    try:
        offer = offer_by_hand(entry=entry, start=start, by=actor_for(signed_in(request), business))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        local = timezone.localtime(offer.start, business.zone)
        offered = {"service": entry.service, "time": f"{local:%H:%M}", "client": entry.customer}
        messages.success(request, _("Offered %(service)s at %(time)s to %(client)s.") % offered)
    return redirect(calendar_url(business, date=timezone.localdate(start, business.zone).isoformat()))


@require_http_methods(["GET", "POST"])
def time_off_view(request: HttpRequest) -> HttpResponse:
    """Time off for a staff member, or (owners) a closure of the whole salon."""
    business = required_business(request)
    closures = may_take_time_off(request.user, business, None)
    staff = [m for m in columns_of(request, business) if may_take_time_off(request.user, business, m)]
    if request.method == "POST":
        form = TimeOffForm(request.POST, business=business, staff=staff, closures=closures)
        if form.is_valid():
            start, end = form.span()
            try:
                away, clashes = time_off_add(
                    business=business,
                    staff=form.cleaned_data["staff"],
                    start=start,
                    end=end,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as error:
                refuse(form, error)
            else:
                messages.success(request, time_off_added(away))
                for clash in clashes:
                    local = timezone.localtime(clash.start, business.zone)
                    still = {
                        "service": clash.service,
                        "staff": clash.staff,
                        "when": f"{pattern_date(local.date(), 'dd MMM')} {local:%H:%M}",
                    }
                    messages.warning(
                        request, _("Still booked in that time: %(service)s with %(staff)s at %(when)s.") % still
                    )
                return redirect(calendar_url(business, date=form.cleaned_data["date"].isoformat()))
    else:
        away_from = parse_start(request.GET.get("start", ""), business)
        initial: dict[str, object] = {
            "staff": request.GET.get("staff"),
            "date": request.GET.get("date") or timezone.localdate(timezone.now(), business.zone),
        }
        if away_from is not None:
            initial.update(date=away_from.date(), start_time=away_from.time())
        form = TimeOffForm(initial=initial, business=business, staff=staff, closures=closures)
    return show(request, "time_off.html", context(request, business, title=_("Time off"), form=form))


def time_off_added(away: TimeOff) -> str:
    """What the desk says of new time off: a whole sentence for each case, for translators."""
    if away.staff is not None:
        if away.reason:
            return _("%(staff)s: time off added (%(reason)s).") % {"staff": away.staff.name, "reason": away.reason}
        return _("%(staff)s: time off added (no reason given).") % {"staff": away.staff.name}
    if away.reason:
        return _("The whole salon: closure added (%(reason)s).") % {"reason": away.reason}
    return _("The whole salon: closure added (no reason given).")


@require_GET
def client_search(request: HttpRequest) -> JsonResponse:
    """The salon's clients matching ?q= (name, phone or email), for the booking forms."""
    business = required_business(request)
    found = search_clients(business, request.GET.get("q", ""), limit=SEARCH_RESULTS)
    return JsonResponse(
        {
            "results": [
                {
                    "id": str(r.customer_id),
                    "name": r.display_name,
                    "first_name": r.first_name or r.customer.first_name,
                    "last_name": r.last_name or r.customer.last_name,
                    "phone": r.phone or r.customer.phone,
                    "email": r.customer.email or "",
                    "warnings": r.warnings,
                    "url": reverse("admin:customers_customerbusinessrelationship_change", args=[r.pk]),
                }
                for r in found
            ]
        }
    )
