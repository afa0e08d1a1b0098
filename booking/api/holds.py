"""Slot holds over the API (DESIGN §12): anyone may hold a free time for a few minutes, as
the portal and the widget do when a customer chooses one; a create with the token books it."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from booking.api.serializers import VisitItemInput
from booking.api.views import owned, visit_items
from booking.holds import Hold, hold_create, hold_release
from booking.visits import MAX_VISIT_ITEMS
from businesses.api import business_or_404
from businesses.models import Service, StaffMember
from businesses.selectors import is_business_member
from config.api_fields import AwareDateTimeField, StrictCharField, local_iso, parse_uuid
from config.api_schema import errors
from config.client_ip import client_ip
from config.request_log import note_business
from customers.services import customer_for_user


class HoldThrottle(SimpleRateThrottle):
    """Holds counted per minute in the cache, by `ident`; a scope without a rate is not limited."""

    scope: str

    def get_rate(self):
        return self.THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.ident(request, view)}

    def ident(self, request, view) -> str:
        raise NotImplementedError


class HoldsPerClient(HoldThrottle):
    scope = "holds_per_client"

    def ident(self, request, view) -> str:
        return client_ip(request)


class HoldsPerBusiness(HoldThrottle):
    """No one holds a whole day: a salon takes so many new holds a minute, from everyone."""

    scope = "holds_per_business"

    def ident(self, request, view) -> str:
        # One counter per salon however its id is spelled (upper case, no hyphens, urn:uuid:...).
        return str(parse_uuid(view.kwargs["business_id"]) or view.kwargs["business_id"])


def may_hold_now(request, business_id) -> bool:
    """The API's hold throttles, for a page that holds a time (the portal's confirm step)."""
    view = HoldCreateView(kwargs={"business_id": business_id})
    return all(throttle().allow_request(request, view) for throttle in HoldCreateView.throttle_classes)


class HoldInput(serializers.Serializer):
    service_id = serializers.UUIDField(required=False)
    services = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        help_text=f"A visit: 1 to {MAX_VISIT_ITEMS} service ids back to back, instead of service_id.",
    )
    items = VisitItemInput(
        many=True,
        required=False,
        help_text="A visit with a stylist per item (as the create takes it), instead of services and staff_id.",
    )
    staff_id = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="With services: one person does every item."
    )
    start = AwareDateTimeField()
    hold_token = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="The caller's previous hold here, which this one replaces.",
    )

    def validate(self, attrs: dict) -> dict:
        given = [name for name in ("service_id", "services", "items") if name in attrs]
        if len(given) != 1:
            # Translators: service_id, services and items are names of API fields; keep them as they are.
            message = _("Give one of service_id, services or items (a visit).")
            raise serializers.ValidationError({"service_id": [message]})
        if "items" in attrs and attrs["staff_id"]:
            # Translators: staff_id is the name of an API field; keep it as it is.
            raise serializers.ValidationError({"staff_id": [_("With items, give each item's staff_id.")]})
        if given[0] != "service_id" and not 1 <= len(attrs[given[0]]) <= MAX_VISIT_ITEMS:
            raise serializers.ValidationError(
                {
                    given[0]: [
                        ngettext("Give 1 to %(max)d service.", "Give 1 to %(max)d services.", MAX_VISIT_ITEMS)
                        % {"max": MAX_VISIT_ITEMS}
                    ]
                }
            )
        return attrs


def held_items(business, query: dict) -> list:
    """(service, staff or None) per item of the hold asked for; unknown ids are a 400 naming them."""
    if "items" in query:
        return visit_items(business, query["items"])
    field = "services" if "services" in query else "service_id"
    staff = owned(StaffMember, business, query["staff_id"], "staff_id") if query["staff_id"] else None
    return [(owned(Service, business, pk, field), staff) for pk in query.get("services") or [query["service_id"]]]


def hold_body(hold: Hold, zone) -> dict:
    return {
        "hold_token": hold.token,
        "expires_at": local_iso(hold.expires_at, zone),
        "staff_id": str(hold.staff_id),
        "start": local_iso(hold.start, zone),
        "end": local_iso(hold.end, zone),
    }


HOLD_OUTPUT = inline_serializer(
    "Hold",
    {
        "hold_token": serializers.CharField(help_text="Give it to the booking (`hold_token`) or to DELETE."),
        "expires_at": serializers.DateTimeField(),
        "staff_id": serializers.UUIDField(help_text="The staff member kept (the first item's, for a visit)."),
        "start": serializers.DateTimeField(),
        "end": serializers.DateTimeField(),
    },
)


@extend_schema(
    summary="Hold a free time while the customer signs in",
    description="The time leaves everyone else's availability until `expires_at` (the salon's hold time, "
    "5 minutes unless it set another). One hold per holder and salon: a signed-in customer's new hold, or one "
    "naming the previous `hold_token`, replaces the old. Book it with the same service, staff and start and "
    '`"hold_token"`. Throttled per client and per salon (429).',
    request=HoldInput,
    responses={201: HOLD_OUTPUT, **errors(400, 404, 409, 415, 429, 503)},
    examples=[
        OpenApiExample(
            "Hold a haircut with anyone",
            value={"service_id": "71862f72-9a98-474e-9fa7-012f4cea355b", "start": "2027-03-29T09:00:00+01:00"},
            request_only=True,
        )
    ],
    tags=["holds"],
)
class HoldCreateView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [HoldsPerClient, HoldsPerBusiness]

    def post(self, request, business_id):
        business = business_or_404(business_id)
        note_business(business.pk)
        data = HoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        query = data.validated_data
        user = request.user
        holder = None
        if user.is_authenticated and not is_business_member(user, business):
            holder = customer_for_user(user)
        hold = hold_create(
            business=business,
            items=held_items(business, query),
            start=query["start"],
            customer=holder,
            replaces=query["hold_token"],
        )
        return Response(hold_body(hold, business.zone), status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Let go of a hold",
    request=None,
    responses={204: None, **errors(404)},
    tags=["holds"],
)
class HoldDetailView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def delete(self, request, hold_token):
        if not hold_release(hold_token):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
