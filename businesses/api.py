"""Public business API: services, staff and hours of a salon (anyone may read)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from businesses.models import Business, BusinessMembership, Weekday
from businesses.selectors import active_resources, active_services, active_staff, business_by_id, member_role
from config.api_fields import local_iso
from config.api_schema import errors
from config.request_log import note_business


def business_or_404(business_id) -> Business:
    business = business_by_id(business_id)
    if business is None:
        raise Http404
    return business


def token_allows(request, business: Business) -> bool:
    """An API token an owner named for one salon in the admin works for that salon only."""
    named = getattr(request.auth, "named", None)  # knox's token, when that is how they signed in
    return named is None or named.business_id == business.pk


def business_for_member(request, business_id, *, write: bool = False) -> Business:
    """The business if the caller works there, else a 404 (it is not theirs to see); `write`:
    owners only (a staff-role member gets a 403)."""
    business = business_or_404(business_id)
    owner = BusinessMembership.Role.OWNER
    role = owner if request.user.is_superuser else member_role(request.user, business)
    if role is None or not token_allows(request, business):
        raise Http404
    if write and role != owner:
        raise PermissionDenied(_("Only an owner of the business may change this."))
    note_business(business.pk)
    return business


class ServiceOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    description = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField(source="business.currency")
    staff_ids = serializers.SerializerMethodField()
    processing_offset_minutes = serializers.SerializerMethodField()
    processing_minutes = serializers.SerializerMethodField()
    resource_kinds = serializers.ListField(child=serializers.CharField())

    def get_staff_ids(self, service) -> list[str]:
        return [str(member.pk) for member in service.staff.all()]

    def get_processing_offset_minutes(self, service) -> int:
        return int(service.processing_offset.total_seconds() // 60)

    def get_processing_minutes(self, service) -> int:
        return int(service.processing_duration.total_seconds() // 60)


class ResourceOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    kind = serializers.CharField()


class StaffOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    service_ids = serializers.SerializerMethodField()

    def get_service_ids(self, member) -> list[str]:
        return [str(service.pk) for service in member.services.all()]


class BusinessView(APIView):
    authentication_classes: list = []  # public: no token needed, no session CSRF
    permission_classes = [AllowAny]


@extend_schema(
    summary="Active services of a business",
    responses={200: ServiceOutput(many=True), **errors(404)},
    tags=["business"],
)
class ServicesView(BusinessView):
    def get(self, request, business_id):
        business = business_or_404(business_id)
        services = active_services(business)
        for service in services:
            service.business = business  # currency without a query per service
        return Response(ServiceOutput(services, many=True).data)


@extend_schema(
    summary="Active staff of a business", responses={200: StaffOutput(many=True), **errors(404)}, tags=["business"]
)
class StaffView(BusinessView):
    def get(self, request, business_id):
        return Response(StaffOutput(active_staff(business_or_404(business_id)), many=True).data)


@extend_schema(
    summary="Active resources of a business (chairs, basins, rooms)",
    responses={200: ResourceOutput(many=True), **errors(404)},
    tags=["business"],
)
class ResourcesView(BusinessView):
    def get(self, request, business_id):
        return Response(ResourceOutput(active_resources(business_or_404(business_id)), many=True).data)


def weekly_body(intervals) -> dict[str, list]:
    """{"monday": [["09:00", "13:00"], ...], ...}: every day, closed ones empty."""
    weekly: dict[str, list] = {day.name.lower(): [] for day in Weekday}
    for hours in intervals.order_by("weekday", "start"):
        weekly[Weekday(hours.weekday).name.lower()].append([f"{hours.start:%H:%M}", f"{hours.end:%H:%M}"])
    return weekly


def hours_body(business: Business) -> dict:
    closures = business.time_off.filter(staff__isnull=True, end__gt=timezone.now()).order_by("start")
    zone = business.zone
    return {
        "timezone": business.timezone,
        "weekly": weekly_body(business.opening_hours.all()),
        "closures": [
            {"start": local_iso(c.start, zone), "end": local_iso(c.end, zone), "reason": c.reason} for c in closures
        ],
    }


HOURS_RESPONSE = inline_serializer(
    name="Hours",
    fields={
        "timezone": serializers.CharField(),
        "weekly": serializers.DictField(
            child=serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
            help_text="monday..sunday: local [start, end] pairs, HH:MM.",
        ),
        "closures": inline_serializer(
            name="Closure",
            fields={
                "start": serializers.CharField(),
                "end": serializers.CharField(),
                "reason": serializers.CharField(),
            },
            many=True,
        ),
    },
)


@extend_schema(
    summary="Opening hours and upcoming closures",
    responses={200: HOURS_RESPONSE, **errors(404)},
    examples=[
        OpenApiExample(
            "A salon with a lunch break",
            value={
                "timezone": "Europe/London",
                "weekly": {"monday": [["09:00", "13:00"], ["14:00", "18:00"]], "sunday": []},
                "closures": [
                    {"start": "2027-12-25T00:00:00+00:00", "end": "2027-12-27T00:00:00+00:00", "reason": "Christmas"}
                ],
            },
            response_only=True,
        )
    ],
    tags=["business"],
)
class HoursView(BusinessView):
    def get(self, request, business_id):
        return Response(hours_body(business_or_404(business_id)))
