"""The management API (DESIGN §11): an owner's token sets up the salon's catalogue and
schedule; staff-role members read everything and write time off only. Every write goes
through businesses.services (the admin's validation) or booking.services (time off)."""

import re
from datetime import datetime, time, timedelta

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from booking.api.serializers import AppointmentOutput
from booking.api.views import unknown
from booking.models import Appointment
from booking.services import time_off_add, time_off_remove
from businesses import api
from businesses.api import business_for_member, hours_body, weekly_body
from businesses.models import Business, Resource, Service, StaffMember, Weekday
from businesses.selectors import may_take_time_off, within_own_columns
from businesses.services import (
    business_hours_replace,
    business_settings_save,
    retire,
    service_save,
    staff_hours_replace,
    staff_save,
    validated_save,
)
from config.api_fields import AwareDateTimeField, BoundedDateField, StrictCharField, local_iso, parse_uuid
from config.api_schema import errors
from config.errors import InvalidInput

WRITE_ERRORS = errors(400, 401, 403, 404, 415)


class PublicReadView(APIView):
    """Reads are public and ignore credentials (a stale token must not turn a public read into
    a 401); writes need a token. Decided per request, before authentication runs."""

    public_read = False

    def initialize_request(self, request, *args, **kwargs):
        self.public_read = request.method in SAFE_METHODS
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self):
        return [] if self.public_read else [auth() for auth in APIView.authentication_classes]

    def get_permissions(self):
        return [AllowAny()] if self.public_read else [IsAuthenticatedOrReadOnly()]


class ManagedView(APIView):
    permission_classes = [IsAuthenticated]


def owned_or_404(queryset, pk):
    """`queryset` (already the business's) row `pk`, else a 404."""
    uuid = parse_uuid(pk)
    found = queryset.filter(pk=uuid).first() if uuid else None
    if found is None:
        raise Http404
    return found


def ids_of(model, business: Business, ids: list, field: str) -> list:
    """The business's rows with these ids, or a 400 naming `field` (unknown or foreign)."""
    found = list(model.objects.filter(business=business, pk__in=ids))
    if len(found) != len(set(ids)):
        raise unknown(model, field)
    return found


def minutes(value: int) -> timedelta:
    return timedelta(minutes=value)


# --- services -----------------------------------------------------------------------------


class ManagedServiceOutput(api.ServiceOutput):
    buffer_before_minutes = serializers.SerializerMethodField()
    buffer_after_minutes = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()

    def get_buffer_before_minutes(self, service) -> int:
        return int(service.buffer_before.total_seconds() // 60)

    def get_buffer_after_minutes(self, service) -> int:
        return int(service.buffer_after.total_seconds() // 60)


class ServiceInput(serializers.Serializer):
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True, default="")
    duration_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    buffer_before_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)
    buffer_after_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)
    processing_offset_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)
    processing_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, default=0)
    resource_kinds = serializers.ListField(child=StrictCharField(max_length=50), default=list, max_length=20)
    staff_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=500)
    is_active = serializers.BooleanField(default=True)


SERVICE_FIELDS = {  # input name -> model field
    "name": "name",
    "description": "description",
    "duration_minutes": "duration",
    "price": "price",
    "buffer_before_minutes": "buffer_before",
    "buffer_after_minutes": "buffer_after",
    "processing_offset_minutes": "processing_offset",
    "processing_minutes": "processing_duration",
    "resource_kinds": "resource_kinds",
    "is_active": "is_active",
}
MODEL_TO_INPUT = {field: name for name, field in SERVICE_FIELDS.items()}


def service_written(business: Business, service: Service, data: dict, *, new: bool = False) -> Response:
    for name, value in data.items():
        if name in SERVICE_FIELDS:
            setattr(service, SERVICE_FIELDS[name], minutes(value) if name.endswith("_minutes") else value)
    staff = ids_of(StaffMember, business, data["staff_ids"], "staff_ids") if "staff_ids" in data else None
    try:
        service_save(service, staff=staff)
    except InvalidInput as error:  # name the API's fields, not the model's
        error.fields = {MODEL_TO_INPUT.get(name, name): messages for name, messages in (error.fields or {}).items()}
        raise
    service.business = business
    return Response(ManagedServiceOutput(service).data, status=status.HTTP_201_CREATED if new else 200)


class ServicesView(PublicReadView, api.ServicesView):
    @extend_schema(
        operation_id="business_services_create",
        summary="Add a service (owners)",
        request=ServiceInput,
        responses={201: ManagedServiceOutput, **WRITE_ERRORS},
        tags=["management"],
    )
    def post(self, request, business_id):
        business = business_for_member(request, business_id, write=True)
        data = ServiceInput(data=request.data)
        data.is_valid(raise_exception=True)
        return service_written(business, Service(business=business), data.validated_data, new=True)


class ServiceDetailView(ManagedView):
    @extend_schema(
        operation_id="business_services_update",
        summary="Change a service (owners); only the fields given",
        request=ServiceInput(partial=True),
        responses={200: ManagedServiceOutput, **WRITE_ERRORS},
        tags=["management"],
    )
    def patch(self, request, business_id, service_id):
        business = business_for_member(request, business_id, write=True)
        service = owned_or_404(business.services.all(), service_id)
        data = ServiceInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return service_written(business, service, data.validated_data)

    @extend_schema(
        operation_id="business_services_destroy",
        summary="Retire a service (owners): no longer offered; its appointments keep it",
        responses={204: None, **errors(401, 403, 404)},
        tags=["management"],
    )
    def delete(self, request, business_id, service_id):
        business = business_for_member(request, business_id, write=True)
        retire(owned_or_404(business.services.all(), service_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- staff --------------------------------------------------------------------------------


class ManagedStaffOutput(api.StaffOutput):
    is_active = serializers.BooleanField()


class StaffInput(serializers.Serializer):
    name = StrictCharField(max_length=200)
    service_ids = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=500)
    is_active = serializers.BooleanField(default=True)


def staff_written(business: Business, member: StaffMember, data: dict, *, new: bool = False) -> Response:
    for name in ("name", "is_active"):
        if name in data:
            setattr(member, name, data[name])
    services = ids_of(Service, business, data["service_ids"], "service_ids") if "service_ids" in data else None
    staff_save(member, services=services)
    return Response(ManagedStaffOutput(member).data, status=status.HTTP_201_CREATED if new else 200)


class StaffView(PublicReadView, api.StaffView):
    @extend_schema(
        operation_id="business_staff_create",
        summary="Add a staff member (owners)",
        request=StaffInput,
        responses={201: ManagedStaffOutput, **WRITE_ERRORS},
        tags=["management"],
    )
    def post(self, request, business_id):
        business = business_for_member(request, business_id, write=True)
        data = StaffInput(data=request.data)
        data.is_valid(raise_exception=True)
        return staff_written(business, StaffMember(business=business), data.validated_data, new=True)


class StaffDetailView(ManagedView):
    @extend_schema(
        operation_id="business_staff_update",
        summary="Change a staff member (owners)",
        request=StaffInput(partial=True),
        responses={200: ManagedStaffOutput, **WRITE_ERRORS},
        tags=["management"],
    )
    def patch(self, request, business_id, staff_id):
        business = business_for_member(request, business_id, write=True)
        member = owned_or_404(business.staff.all(), staff_id)
        data = StaffInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return staff_written(business, member, data.validated_data)

    @extend_schema(
        operation_id="business_staff_destroy",
        summary="Retire a staff member (owners): no longer bookable; their appointments stay",
        responses={204: None, **errors(401, 403, 404)},
        tags=["management"],
    )
    def delete(self, request, business_id, staff_id):
        business = business_for_member(request, business_id, write=True)
        retire(owned_or_404(business.staff.all(), staff_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- resources ----------------------------------------------------------------------------


class ManagedResourceOutput(api.ResourceOutput):
    is_active = serializers.BooleanField()


class ResourceInput(serializers.Serializer):
    name = StrictCharField(max_length=200)
    kind = StrictCharField(max_length=50)
    is_active = serializers.BooleanField(default=True)


def resource_written(resource: Resource, data: dict, *, new: bool = False) -> Response:
    for name, value in data.items():
        setattr(resource, name, value)
    validated_save(resource)
    return Response(ManagedResourceOutput(resource).data, status=status.HTTP_201_CREATED if new else 200)


class ResourcesView(PublicReadView, api.ResourcesView):
    @extend_schema(
        operation_id="business_resources_create",
        summary="Add a resource: a chair, basin or room (owners)",
        request=ResourceInput,
        responses={201: ManagedResourceOutput, **WRITE_ERRORS},
        tags=["management"],
    )
    def post(self, request, business_id):
        business = business_for_member(request, business_id, write=True)
        data = ResourceInput(data=request.data)
        data.is_valid(raise_exception=True)
        return resource_written(Resource(business=business), data.validated_data, new=True)


class ResourceDetailView(ManagedView):
    @extend_schema(
        operation_id="business_resources_update",
        summary="Change a resource (owners)",
        request=ResourceInput(partial=True),
        responses={200: ManagedResourceOutput, **WRITE_ERRORS},
        tags=["management"],
    )
    def patch(self, request, business_id, resource_id):
        business = business_for_member(request, business_id, write=True)
        resource = owned_or_404(business.resources.all(), resource_id)
        data = ResourceInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return resource_written(resource, data.validated_data)

    @extend_schema(
        operation_id="business_resources_destroy",
        summary="Retire a resource (owners)",
        responses={204: None, **errors(401, 403, 404)},
        tags=["management"],
    )
    def delete(self, request, business_id, resource_id):
        business = business_for_member(request, business_id, write=True)
        retire(owned_or_404(business.resources.all(), resource_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- hours --------------------------------------------------------------------------------

DAY_NAMES = {day.name.lower(): day.value for day in Weekday}


class WeeklyInput(serializers.Serializer):
    """{"monday": [["09:00", "13:00"], ["14:00", "18:00"]], ...}; a day left out is closed.
    Also accepted inside the hours shape, {"weekly": {...}} (its other keys are not set here)."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and "weekly" in data:  # the hours shape, as GET answers it
            data = data["weekly"]
        if not isinstance(data, dict):
            # Translators: the example is JSON the API reads; keep it as it is.
            message = _('Give an object of weekdays, e.g. {"monday": [["09:00", "17:00"]]}.')
            raise ValidationError({"weekly": [message]})
        intervals = []
        for day, pairs in data.items():
            if day not in DAY_NAMES:
                # Translators: the days are the API's English keys (monday, tuesday, …); they stay as they are.
                raise ValidationError({day: [_("Unknown day; use %(days)s.") % {"days": ", ".join(DAY_NAMES)}]})
            if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
                raise ValidationError({day: [_('A list of ["HH:MM", "HH:MM"] pairs.')]})
            for start, end in pairs:
                intervals.append((DAY_NAMES[day], clock(start, day), clock(end, day)))
        return intervals


def clock(value: object, day: str) -> time:
    if not isinstance(value, str):
        raise ValidationError({day: [_("Times are HH:MM strings.")]})
    try:
        return datetime.strptime(value, "%H:%M").time()  # noqa: DTZ007 (a wall-clock time, no date)
    except ValueError:
        raise ValidationError({day: [_("%(value)s is not a time such as 09:30.") % {"value": repr(value)}]}) from None


class HoursView(PublicReadView, api.HoursView):
    @extend_schema(
        operation_id="business_hours_replace",
        summary="Replace the weekly opening hours (owners); a day left out is closed",
        request=api.HOURS_RESPONSE,
        responses={200: api.HOURS_RESPONSE, **WRITE_ERRORS},
        tags=["management"],
    )
    def put(self, request, business_id):
        business = business_for_member(request, business_id, write=True)
        business_hours_replace(business, WeeklyInput().to_internal_value(request.data))
        return Response(hours_body(business))


class StaffHoursView(ManagedView):
    def body(self, member: StaffMember) -> dict:
        return {
            "staff_id": str(member.pk),
            "timezone": member.business.timezone,
            "weekly": weekly_body(member.working_hours.all()),
        }

    @extend_schema(
        operation_id="business_staff_hours_retrieve",
        summary="A staff member's weekly working hours (members)",
        responses={200: api.HOURS_RESPONSE, **errors(401, 404)},
        tags=["management"],
    )
    def get(self, request, business_id, staff_id):
        business = business_for_member(request, business_id)
        return Response(self.body(owned_or_404(business.staff.select_related("business"), staff_id)))

    @extend_schema(
        operation_id="business_staff_hours_replace",
        summary="Replace a staff member's weekly working hours (owners)",
        request=api.HOURS_RESPONSE,
        responses={200: api.HOURS_RESPONSE, **WRITE_ERRORS},
        tags=["management"],
    )
    def put(self, request, business_id, staff_id):
        business = business_for_member(request, business_id, write=True)
        member = owned_or_404(business.staff.select_related("business"), staff_id)
        staff_hours_replace(member, WeeklyInput().to_internal_value(request.data))
        return Response(self.body(member))


# --- time off -----------------------------------------------------------------------------


class TimeOffOutput(serializers.Serializer):
    id = serializers.IntegerField()
    staff_id = serializers.UUIDField(allow_null=True)
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    reason = serializers.CharField()

    def get_start(self, away) -> str:
        return local_iso(away.start, away.business.zone)

    def get_end(self, away) -> str:
        return local_iso(away.end, away.business.zone)


class TimeOffInput(serializers.Serializer):
    staff_id = serializers.UUIDField(allow_null=True, default=None)
    start = AwareDateTimeField()
    end = AwareDateTimeField()
    reason = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class TimeOffView(ManagedView):
    @extend_schema(
        operation_id="business_time_off_list",
        summary="Time off and closures not yet over (members)",
        responses={200: TimeOffOutput(many=True), **errors(401, 404)},
        tags=["management"],
    )
    def get(self, request, business_id):
        business = business_for_member(request, business_id)
        found = business.time_off.filter(end__gt=timezone.now()).order_by("start", "pk")
        for away in found:
            away.business = business
        return Response(TimeOffOutput(found, many=True).data)

    @extend_schema(
        operation_id="business_time_off_create",
        summary="Add time off (staff: their own) or a closure (staff_id null; owners); bookings in it stay",
        request=TimeOffInput,
        responses={201: TimeOffOutput, **errors(400, 401, 403, 404, 415)},
        tags=["management"],
    )
    def post(self, request, business_id):
        business = business_for_member(request, business_id)  # staff-role members too, for themselves
        data = TimeOffInput(data=request.data)
        data.is_valid(raise_exception=True)
        staff_id = data.validated_data["staff_id"]
        staff = ids_of(StaffMember, business, [staff_id], "staff_id")[0] if staff_id else None
        if not may_take_time_off(request.user, business, staff):
            raise PermissionDenied(_("Staff add time off for themselves; owners for anyone, and closures."))
        away, _clashes = time_off_add(
            business=business,
            staff=staff,
            start=data.validated_data["start"],
            end=data.validated_data["end"],
            reason=data.validated_data["reason"],
        )
        away.business = business
        return Response(TimeOffOutput(away).data, status=status.HTTP_201_CREATED)


class TimeOffDetailView(ManagedView):
    @extend_schema(
        operation_id="business_time_off_destroy",
        summary="Remove time off (staff: their own) or a closure (owners)",
        responses={204: None, **errors(401, 403, 404)},
        tags=["management"],
    )
    def delete(self, request, business_id, time_off_id):
        business = business_for_member(request, business_id)
        digits = re.fullmatch(r"[0-9]{1,18}", str(time_off_id))
        found = business.time_off.select_related("staff").filter(pk=int(time_off_id)).first() if digits else None
        if found is None:
            raise Http404
        if not may_take_time_off(request.user, business, found.staff):
            raise PermissionDenied(_("Staff remove their own time off; owners anyone's, and closures."))
        time_off_remove(found)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- settings -----------------------------------------------------------------------------


class SettingsSerializer(serializers.ModelSerializer):
    class Meta:
        model = Business
        fields = [
            "timezone",
            "language",
            *Business.POLICY_FIELDS,
            *Business.NOTIFICATION_FIELDS,
            "embed_allowed_origins",
        ]


class SettingsView(ManagedView):
    @extend_schema(
        operation_id="business_settings_retrieve",
        summary="The booking policy (members)",
        responses={200: SettingsSerializer, **errors(401, 404)},
        tags=["management"],
    )
    def get(self, request, business_id):
        return Response(SettingsSerializer(business_for_member(request, business_id)).data)

    @extend_schema(
        operation_id="business_settings_update",
        summary="Change the booking policy (owners); only the fields given",
        request=SettingsSerializer(partial=True),
        responses={200: SettingsSerializer, **WRITE_ERRORS},
        tags=["management"],
    )
    def patch(self, request, business_id):
        business = business_for_member(request, business_id, write=True)
        data = SettingsSerializer(business, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(SettingsSerializer(business_settings_save(business, data.validated_data)).data)


# --- appointments -------------------------------------------------------------------------


class AppointmentPages(CursorPagination):
    ordering = ("start", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class AppointmentsQuery(serializers.Serializer):
    from_ = BoundedDateField(required=False)
    to = BoundedDateField(required=False)
    staff = serializers.UUIDField(required=False)
    status = serializers.ChoiceField(choices=Appointment.Status.choices, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # a Python keyword, so named here
        return fields


class AppointmentsView(ManagedView):
    @extend_schema(
        operation_id="business_appointments_list",
        summary="The salon's appointments (members), in time order, a cursor page at a time",
        parameters=[
            OpenApiParameter("from", str, description="First local day, YYYY-MM-DD (inclusive)."),
            OpenApiParameter("to", str, description="Last local day, YYYY-MM-DD (inclusive)."),
            OpenApiParameter("staff", str, description="Staff member id (UUID)."),
            OpenApiParameter("status", str, enum=Appointment.Status.values),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int, description="1-200, default 50."),
        ],
        responses={200: AppointmentOutput(many=True), **errors(400, 401, 404)},
        tags=["management"],
    )
    def get(self, request, business_id):
        business = business_for_member(request, business_id)
        query = appointments_query(request, business)
        found = (
            Appointment.objects.filter(business=business, **query)
            .filter(within_own_columns(request.user))
            .select_related("business")
            .prefetch_related("resource_bookings")
        )
        pages = AppointmentPages()
        page = pages.paginate_queryset(found, request, view=self)
        return pages.get_paginated_response(AppointmentOutput(page, many=True).data)


def appointments_query(request, business: Business) -> dict:
    """The filters, validated as plain values (an empty ?status= is a 400, not "not given")."""
    data = AppointmentsQuery(
        data={
            key: request.query_params[key] for key in ("from", "to", "staff", "status") if key in request.query_params
        }
    )
    data.is_valid(raise_exception=True)
    values, zone, query = data.validated_data, business.zone, {}
    if "from" in values:
        query["start__gte"] = datetime.combine(values["from"], time(), tzinfo=zone)
    if "to" in values:
        query["start__lt"] = datetime.combine(values["to"] + timedelta(days=1), time(), tzinfo=zone)
    if "staff" in values:
        query["staff"] = ids_of(StaffMember, business, [values["staff"]], "staff")[0]
    if "status" in values:
        query["status"] = values["status"]
    return query
