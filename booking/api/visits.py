"""The visit API (DESIGN §10): read, cancel and move a visit of several services as one.
Visits are booked through the create endpoints with `items` (booking/api/views.py)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api.serializers import CancelInput, VisitOutput, VisitRescheduleInput
from booking.api.views import request_actor
from booking.models import Visit
from booking.services import Actor
from booking.visits import visit_cancel, visit_reschedule
from config.api_fields import parse_uuid
from config.api_schema import errors
from config.request_log import note_business


def visit_for(request, visit_id) -> tuple[Visit, Actor]:
    """The visit if the caller is its customer or a member of its business; else 404."""
    pk = parse_uuid(visit_id)
    visit = Visit.objects.select_related("business", "customer").filter(pk=pk).first() if pk else None
    if visit is None:
        raise Http404
    actor = request_actor(request, visit.business)
    if visit.customer.user_id != request.user.pk and not actor.is_member:
        raise Http404
    note_business(visit.business_id)
    return visit, actor


class VisitView(APIView):
    permission_classes = [IsAuthenticated]


@extend_schema(
    summary="One visit and its appointments", responses={200: VisitOutput, **errors(401, 404)}, tags=["visits"]
)
class VisitDetailView(VisitView):
    def get(self, request, visit_id):
        visit, _ = visit_for(request, visit_id)
        return Response(VisitOutput(visit).data)


@extend_schema(
    summary="Cancel every appointment of the visit (customers only outside the cancellation window)",
    request=CancelInput,
    responses={200: VisitOutput, **errors(400, 401, 404, 409, 415)},
    tags=["visits"],
)
class VisitCancelView(VisitView):
    def put(self, request, visit_id):
        visit, actor = visit_for(request, visit_id)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(VisitOutput(visit_cancel(visit=visit, by=actor, reason=data.validated_data["reason"])).data)


@extend_schema(
    summary="Move the whole visit to another start (stylists kept where they are free)",
    request=VisitRescheduleInput,
    responses={200: VisitOutput, **errors(400, 401, 404, 409, 415, 503)},
    tags=["visits"],
)
class VisitRescheduleView(VisitView):
    def put(self, request, visit_id):
        visit, actor = visit_for(request, visit_id)
        data = VisitRescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(VisitOutput(visit_reschedule(visit=visit, start=data.validated_data["start"], by=actor)).data)
