"""Input and output shapes of the booking API (DESIGN §5)."""

import uuid
from datetime import datetime

from rest_framework import serializers

from booking.models import Appointment
from booking.selectors import MAX_AVAILABILITY_DAYS
from config.api_fields import AwareDateTimeField, BoundedDateField, StrictCharField, StrictEmailField, local_iso


class AvailabilityQuery(serializers.Serializer):
    service = serializers.UUIDField()
    date = BoundedDateField(required=False)
    days = serializers.IntegerField(required=False, default=1, min_value=1, max_value=MAX_AVAILABILITY_DAYS)
    staff = serializers.UUIDField(required=False)


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


class CustomerInput(serializers.Serializer):
    """Who a member books for: an email or a phone (a client known by phone only), or both."""

    email = StrictEmailField(required=False, allow_blank=True, default="")
    phone = StrictCharField(required=False, allow_blank=True, max_length=32, default="")
    first_name = StrictCharField(required=False, allow_blank=True, max_length=100, default="")
    last_name = StrictCharField(required=False, allow_blank=True, max_length=100, default="")


class CreateInput(serializers.Serializer):
    business_id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    staff_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    start = AwareDateTimeField()
    notes = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")
    # The contract names this field "source", which DRF's Field also uses as an attribute name.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Appointment.Source.API, Appointment.Source.WIDGET, Appointment.Source.PORTAL],
        required=False,
        default=Appointment.Source.API,
    )
    customer = CustomerInput(required=False, help_text="Staff of the business only: who the booking is for.")


class CancelInput(serializers.Serializer):
    reason = StrictCharField(required=False, allow_blank=True, max_length=500, default="")


class RescheduleInput(serializers.Serializer):
    start = AwareDateTimeField()
    staff_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class AppointmentOutput(serializers.ModelSerializer):
    business_id = serializers.UUIDField()
    service_id = serializers.UUIDField()
    staff_id = serializers.UUIDField()
    customer_id = serializers.UUIDField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
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
