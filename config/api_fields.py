"""API field conventions of DESIGN §5: datetimes and ids."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.inputs import OUT_OF_RANGE, within_input_range


def local_iso(moment: datetime, zone: ZoneInfo) -> str:
    """ISO 8601 in the business's UTC offset with seconds: 2027-03-29T09:00:00+01:00 (never Z)."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


@extend_schema_field(OpenApiTypes.DATETIME)
class AwareDateTimeField(serializers.Field):
    """Any ISO 8601 datetime with an offset (Z included); a naive one is refused."""

    default_error_messages = {
        "invalid": gettext_lazy("Enter an ISO 8601 datetime such as 2027-03-29T09:00:00+01:00."),
        "naive": gettext_lazy("Give the UTC offset (e.g. +01:00 or Z): a time without one is ambiguous."),
        "out_of_range": OUT_OF_RANGE,
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            moment = datetime.fromisoformat(data.strip())
        except ValueError:
            self.fail("invalid")
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.fail("naive")
        if not within_input_range(moment):
            self.fail("out_of_range")
        return moment

    def to_representation(self, value):
        return value.isoformat(timespec="seconds")


class BoundedDateField(serializers.DateField):
    """A YYYY-MM-DD date within the input range around today."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not within_input_range(day):
            self.fail("out_of_range")
        return day


def parse_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of turning them into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
