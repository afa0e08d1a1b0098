"""The customer's waitlist over the API (DESIGN §12): join for a service (and optionally a
stylist) with the dates and times they can make, list and leave. The rules are in
booking/waitlist.py."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api.views import owned, service_with_business
from booking.models import WaitlistEntry
from booking.waitlist import Window, customer_entry, customer_waitlist, waitlist_join, waitlist_leave, windows_of
from businesses.models import StaffMember
from config.api_fields import BoundedDateField, parse_uuid
from config.api_schema import errors
from customers.services import customer_for_user


class WindowInput(serializers.Serializer):
    from_date = BoundedDateField()
    to_date = BoundedDateField()
    from_time = serializers.TimeField(required=False, allow_null=True, default=None, format="%H:%M")
    to_time = serializers.TimeField(required=False, allow_null=True, default=None, format="%H:%M")
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        allow_null=True,
        default=None,
        help_text="0 = Monday ... 6 = Sunday; none: any day.",
    )


def window_from(data: dict) -> Window:
    weekdays = data["weekdays"]
    return Window(**{**data, "weekdays": tuple(sorted(set(weekdays))) if weekdays is not None else None})


class WaitlistInput(serializers.Serializer):
    business_id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    staff_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    windows = WindowInput(many=True, help_text="Local dates (both included) and times of day they can make.")


class WaitlistOutput(serializers.Serializer):
    id = serializers.UUIDField()
    business_id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    staff_id = serializers.UUIDField(allow_null=True)
    windows = WindowInput(many=True)
    status = serializers.ChoiceField(choices=WaitlistEntry.Status.choices)
    created_at = serializers.DateTimeField()

    def to_representation(self, entry: WaitlistEntry) -> dict:
        return {
            "id": str(entry.pk),
            "business_id": str(entry.business_id),
            "service_id": str(entry.service_id),
            "staff_id": str(entry.staff_id) if entry.staff_id else None,
            "windows": [window.as_json() for window in windows_of(entry)],
            "status": entry.status,
            "created_at": entry.created_at.isoformat(),
        }


@extend_schema(tags=["customer"])
class CustomerWaitlistView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Join a salon's waitlist",
        description="When a matching time frees up it is offered by e-mail (and SMS) with a one-click link, "
        "in joining order. At most 5 entries waiting per salon.",
        request=WaitlistInput,
        responses={201: WaitlistOutput, **errors(400, 401, 409, 415)},
        examples=[
            OpenApiExample(
                "Any weekday after 16:00 in the next two weeks",
                value={
                    "business_id": "8e6c323b-df6b-4594-9098-63dd5dcf3879",
                    "service_id": "71862f72-9a98-474e-9fa7-012f4cea355b",
                    "windows": [
                        {
                            "from_date": "2027-03-29",
                            "to_date": "2027-04-11",
                            "from_time": "16:00",
                            "weekdays": [0, 1, 2, 3, 4],
                        }
                    ],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = WaitlistInput(data=request.data)
        data.is_valid(raise_exception=True)
        query = data.validated_data
        service = service_with_business(
            query["business_id"],
            query["service_id"],
            "service_id",
            unknown_business=serializers.ValidationError({"business_id": [_("Unknown business.")]}),
        )
        business = service.business
        staff = owned(StaffMember, business, query["staff_id"], "staff_id") if query["staff_id"] else None
        entry = waitlist_join(
            customer=customer_for_user(request.user),
            business=business,
            service=service,
            staff=staff,
            windows=[window_from(window) for window in query["windows"]],
        )
        return Response(WaitlistOutput(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The signed-in customer's waitlist entries still waiting",
        responses={200: WaitlistOutput(many=True), **errors(401)},
    )
    def get(self, request):
        entries = customer_waitlist(customer_for_user(request.user), now=timezone.now())
        return Response(WaitlistOutput(entries, many=True).data)


@extend_schema(
    summary="Leave the waitlist",
    request=None,
    responses={204: None, **errors(401, 404)},
    tags=["customer"],
)
class CustomerWaitlistEntryView(APIView):
    permission_classes = [IsAuthenticated]

    def delete(self, request, entry_id):
        entry = customer_entry(customer_for_user(request.user), parse_uuid(entry_id), now=timezone.now())
        if entry is None:
            raise Http404
        waitlist_leave(entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)
