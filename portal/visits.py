"""A customer's visit (several services booked as one) in the portal: its items with their
times and staff, and cancelling or moving it as a whole (booking.visits has the rules)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from booking.models import Visit
from booking.selectors import customer_window
from booking.visits import (
    items_of,
    standing_items,
    visit_cancel,
    visit_is_changeable_by_customer,
    visit_move_slots,
    visit_reschedule,
)
from config.api_fields import parse_uuid
from customers.services import customer_for_user
from portal.views import cancel_page, customer_actor, move_page


def own_visit(request, visit_id) -> Visit:
    pk = parse_uuid(visit_id)
    customer = customer_for_user(request.user)
    visit = Visit.objects.select_related("business").filter(pk=pk, customer=customer).first() if pk else None
    if visit is None:
        raise Http404(_("No such visit."))
    return visit


def visit_context(visit: Visit, **extra) -> dict:
    items = items_of(visit)
    standing = standing_items(visit)
    shown = standing or items  # a cancelled visit shows what was cancelled
    return {
        "visit": visit,
        "business": visit.business,
        "items": items,
        "lead": shown[0],
        "start": shown[0].start,
        "end": shown[-1].end,
        "shown": shown,
        "standing": bool(standing),
        "changeable": visit_is_changeable_by_customer(visit, now=timezone.now()),
        **extra,
    }


@login_required
def visit_detail(request, visit_id):
    visit = own_visit(request, visit_id)
    return render(request, "customer/visit.html", visit_context(visit, booked="booked" in request.GET))


@login_required
@require_http_methods(["GET", "POST"])
def visit_cancel_page(request, visit_id):
    visit = own_visit(request, visit_id)
    return cancel_page(
        request,
        cancel=lambda reason: visit_cancel(visit=visit, by=customer_actor(request), reason=reason),
        done_url=f"{reverse('customer-history')}?cancelled={visit.pk}",
        template="customer/visit_cancel.html",
        context=visit_context(visit),
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_reschedule_page(request, visit_id):
    visit = own_visit(request, visit_id)
    window = customer_window(visit.business, now=timezone.now())
    return move_page(
        request,
        visit.business,
        move=lambda start: visit_reschedule(visit=visit, start=start, by=customer_actor(request)),
        find=lambda first_day, days: visit_move_slots(visit, first_day=first_day, days=days, window=window),
        done_url=f"{reverse('customer-visit', args=[visit.pk])}?rescheduled=1",
        template="customer/visit_reschedule.html",
        context=visit_context(visit),
    )
