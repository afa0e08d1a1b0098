"""Input and output shapes of the booking API (DESIGN §5)."""

import json
import uuid
from collections.abc import Callable
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from booking.models import Appointment
from booking.selectors import MAX_AVAILABILITY_DAYS
from booking.visits import MAX_VISIT_ITEMS
from config.api_fields import AwareDateTimeField, BoundedDateField, StrictCharField, StrictEmailField, local_iso


class AvailabilityQuery(serializers.Serializer):
    service = serializers.UUIDField(required=False)
    services = StrictCharField(
        required=False, max_length=200, help_text="A visit: 1 to 5 service ids, comma-separated, in order."
    )
    date = BoundedDateField(required=False)
    days = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_AVAILABILITY_DAYS)
    staff = serializers.UUIDField(required=False)
    hold_token = StrictCharField(
        required=False, max_length=100, help_text="The asker's slot hold: its time shows as free to them."
    )

    def validate(self, attrs: dict) -> dict:
        if ("service" in attrs) == ("services" in attrs):
            # Translators: service and services are names of API query parameters; keep them as they are.
            message = _("Give either service or services (a visit), not both.")
            raise serializers.ValidationError({"service": [message]})
        if "services" in attrs:
            try:
                ids = [uuid.UUID(part.strip()) for part in attrs["services"].split(",")]
            except ValueError:
                raise serializers.ValidationError({"services": [_("Give service ids separated by commas.")]}) from None
            if not 1 <= len(ids) <= MAX_VISIT_ITEMS:
                raise serializers.ValidationError(
                    {
                        "services": [
                            ngettext("Give 1 to %(max)d service.", "Give 1 to %(max)d services.", MAX_VISIT_ITEMS)
                            % {"max": MAX_VISIT_ITEMS}
                        ]
                    }
                )
            attrs["services"] = ids
        return attrs


class BookingAvailabilityQuery(AvailabilityQuery):
    business = serializers.UUIDField()


class SlotOutput(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()
    staff_ids = serializers.ListField(child=serializers.UUIDField())


class AvailabilityOutput(serializers.Serializer):
    business_id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    timezone = serializers.CharField()
    slots = SlotOutput(many=True)


def availability_body(business, service, slots) -> dict:
    """Plain dicts: the slot list of a busy salon is long, and serializers are slow on it.

    The same instants and staff ids recur across slots (one slot's end is a later slot's
    start), so each is formatted once.
    """
    zone = business.zone
    texts: dict = {}

    def text(value) -> str:
        if value not in texts:
            texts[value] = local_iso(value, zone) if isinstance(value, datetime) else str(value)
        return texts[value]

    return {
        "business_id": str(business.pk),
        "service_id": str(service.pk),
        "timezone": business.timezone,
        "slots": [
            {"start": text(slot.start), "end": text(slot.end), "staff_ids": [text(i) for i in slot.staff_ids]}
            for slot in slots
        ],
    }


def slot_renderer(business) -> Callable:
    """One slot as the JSON text `availability_body` gives it (kept rendered in the cache)."""
    zone = business.zone
    times: dict = {}  # a grid's slots share their instants and their teams: each is written once
    teams: dict = {}

    def instant(moment) -> str:
        if moment not in times:
            times[moment] = json.dumps(local_iso(moment, zone))
        return times[moment]

    def render(slot) -> str:
        if slot.staff_ids not in teams:
            teams[slot.staff_ids] = json.dumps([str(i) for i in slot.staff_ids], separators=(",", ":"))
        return f'{{"start":{instant(slot.start)},"end":{instant(slot.end)},"staff_ids":{teams[slot.staff_ids]}}}'

    return render


def availability_json(business, service, slots: str) -> bytes:
    """`availability_body` as JSON, from the slots already rendered (comma-joined)."""
    head = json.dumps(
        {"business_id": str(business.pk), "service_id": str(service.pk), "timezone": business.timezone},
        separators=(",", ":"),
    )
    return f'{head[:-1]},"slots":[{slots}]}}'.encode()


class CustomerInput(serializers.Serializer):
    """Who a member books for: an email or a phone (a client known by phone only), or both."""

    email = StrictEmailField(required=False, allow_blank=True, default="")
    phone = StrictCharField(required=False, allow_blank=True, max_length=32, default="")
    first_name = StrictCharField(required=False, allow_blank=True, max_length=100, default="")
    last_name = StrictCharField(required=False, allow_blank=True, max_length=100, default="")


class VisitItemInput(serializers.Serializer):
    service_id = serializers.UUIDField()
    staff_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class CreateInput(serializers.Serializer):
    business_id = serializers.UUIDField()
    service_id = serializers.UUIDField(required=False)
    staff_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    items = VisitItemInput(
        many=True,
        required=False,
        help_text=f"A visit: 1 to {MAX_VISIT_ITEMS} services back to back, instead of service_id and staff_id.",
    )
    start = AwareDateTimeField()
    notes = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")
    # The contract names this field "source", which DRF's Field also uses as an attribute name.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Appointment.Source.API, Appointment.Source.WIDGET, Appointment.Source.PORTAL],
        required=False,
        default=Appointment.Source.API,
    )
    customer = CustomerInput(required=False, help_text="Staff of the business only: who the booking is for.")
    hold_token = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="The caller's slot hold (POST /api/business/{id}/holds) for this time: booking spends it.",
    )

    def validate(self, attrs: dict) -> dict:
        if "items" in attrs and ("service_id" in attrs or attrs.get("staff_id")):
            # Translators: items, service_id and staff_id are names of API fields; keep them as they are.
            message = _("Give items (a visit) or service_id and staff_id, not both.")
            raise serializers.ValidationError({"items": [message]})
        if "items" not in attrs and "service_id" not in attrs:
            raise serializers.ValidationError({"service_id": [_("This field is required.")]})
        if "items" in attrs and not 1 <= len(attrs["items"]) <= MAX_VISIT_ITEMS:
            raise serializers.ValidationError(
                {
                    "items": [
                        ngettext("Give 1 to %(max)d service.", "Give 1 to %(max)d services.", MAX_VISIT_ITEMS)
                        % {"max": MAX_VISIT_ITEMS}
                    ]
                }
            )
        return attrs


class CancelInput(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=500, default="")


class RescheduleInput(serializers.Serializer):
    start = AwareDateTimeField()
    staff_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class VisitRescheduleInput(serializers.Serializer):
    start = AwareDateTimeField()


class AppointmentOutput(serializers.ModelSerializer):
    business_id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    staff_id = serializers.UUIDField()
    customer_id = serializers.UUIDField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    visit_id = serializers.UUIDField(allow_null=True)
    resource_ids = serializers.SerializerMethodField()

    class Meta:
        model = Appointment
        fields = [
            "id",
            "business_id",
            "service_id",
            "staff_id",
            "customer_id",
            "start",
            "end",
            "status",
            "price",
            "source",
            "notes",
            "visit_id",
            "resource_ids",
        ]

    def get_resource_ids(self, appointment) -> list[uuid.UUID]:
        return [held.resource_id for held in appointment.resource_bookings.all()]

    def get_start(self, appointment) -> str:
        return local_iso(appointment.start, appointment.business.zone)

    def get_end(self, appointment) -> str:
        return local_iso(appointment.end, appointment.business.zone)


class AppointmentListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=["upcoming", "past", "cancelled"], required=False)
    business = serializers.UUIDField(required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class VisitSlotItemOutput(serializers.Serializer):
    service_id = serializers.UUIDField()
    start = serializers.CharField()
    end = serializers.CharField()
    staff_ids = serializers.ListField(child=serializers.UUIDField())


class VisitSlotOutput(serializers.Serializer):
    start = serializers.CharField()
    end = serializers.CharField()
    items = VisitSlotItemOutput(many=True)


class VisitAvailabilityOutput(serializers.Serializer):
    business_id = serializers.UUIDField()
    service_ids = serializers.ListField(child=serializers.UUIDField())
    timezone = serializers.CharField()
    slots = VisitSlotOutput(many=True)


def visit_availability_body(business, services, slots) -> dict:
    zone = business.zone
    return {
        "business_id": str(business.pk),
        "service_ids": [str(service.pk) for service in services],
        "timezone": business.timezone,
        "slots": [
            {
                "start": local_iso(slot.start, zone),
                "end": local_iso(slot.end, zone),
                "items": [
                    {
                        "service_id": str(service.pk),
                        "start": local_iso(item.start, zone),
                        "end": local_iso(item.end, zone),
                        "staff_ids": [str(i) for i in item.staff_ids],
                    }
                    for service, item in zip(services, slot.items, strict=True)
                ],
            }
            for slot in slots
        ],
    }


class VisitOutput(serializers.Serializer):
    """A visit and its appointments (items), in time order."""

    visit_id = serializers.SerializerMethodField()
    business_id = serializers.UUIDField()
    customer_id = serializers.UUIDField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    source = serializers.CharField()  # type: ignore[assignment]  # the contract's name (see CreateInput)
    notes = serializers.CharField()
    appointments = serializers.SerializerMethodField()

    def items(self, visit) -> list:
        if not hasattr(visit, "_items"):
            visit._items = list(visit.appointments.select_related("business").prefetch_related("resource_bookings"))
            visit._items.sort(key=lambda a: (a.start, a.pk))
        return visit._items

    def get_visit_id(self, visit) -> uuid.UUID:
        return visit.pk

    def get_start(self, visit) -> str:
        return local_iso(self.items(visit)[0].start, visit.business.zone)

    def get_end(self, visit) -> str:
        return local_iso(self.items(visit)[-1].end, visit.business.zone)

    def get_status(self, visit) -> str:
        """Cancelled when every item is; else the first standing item's status."""
        standing = [a for a in self.items(visit) if a.status != Appointment.Status.CANCELLED]
        return standing[0].status if standing else Appointment.Status.CANCELLED

    def get_price(self, visit) -> str:
        standing = [a for a in self.items(visit) if a.status != Appointment.Status.CANCELLED] or self.items(visit)
        return f"{sum(a.price for a in standing):.2f}"

    @extend_schema_field(AppointmentOutput(many=True))
    def get_appointments(self, visit) -> list:
        return list(AppointmentOutput(self.items(visit), many=True).data)
