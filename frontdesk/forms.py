"""The front desk's forms: they validate input; the views call the booking services."""

from datetime import UTC, datetime, time, timedelta
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.admin_forms import override_holds_field
from booking.models import Appointment
from booking.services import CustomerDetails
from businesses.models import Business, Service, StaffMember
from config.inputs import validate_within_input_range
from config.locale_format import pattern_date


class LocalMoment(forms.Form):
    """A date and time on the salon's wall clock. `fold` (hidden, from the cell clicked) picks
    the second occurrence of a time the clocks repeat; a time they skip is a form error."""

    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_within_input_range],
    )
    time = forms.TimeField(label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    fold = forms.IntegerField(required=False, min_value=0, max_value=1, widget=forms.HiddenInput)
    business: Business

    def start(self) -> datetime:
        cleaned = self.cleaned_data
        moment = datetime.combine(cleaned["date"], cleaned["time"], tzinfo=self.business.zone)
        return moment.replace(fold=cleaned.get("fold") or 0)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if not self.errors:
            moment = self.start()
            wall = moment.astimezone(UTC).astimezone(self.business.zone)
            if (wall.date(), wall.time()) != (moment.date(), moment.time().replace(fold=0)):
                message = _("%(time)s does not exist on %(date)s: the clocks go forward then.")
                raise ValidationError(
                    message % {"time": f"{moment:%H:%M}", "date": pattern_date(moment.date(), "dd MMM y")}
                )
        return cleaned


class ClientFields(forms.Form):
    """Who the booking is for: an existing client (filled in by the search) or a new one.
    Staff bookings need an email or a phone; a walk-in needs a name and a phone."""

    first_name = forms.CharField(required=False, max_length=100, label=gettext_lazy("First name"))
    last_name = forms.CharField(required=False, max_length=100, label=gettext_lazy("Last name"))
    phone = forms.CharField(
        required=False,
        max_length=32,
        label=gettext_lazy("Phone"),
        help_text=gettext_lazy("National or +international format."),
    )
    email = forms.EmailField(required=False, label=gettext_lazy("Email"))

    def customer_details(self) -> CustomerDetails:
        cleaned = self.cleaned_data
        return CustomerDetails(
            email=cleaned.get("email") or "",
            phone=cleaned.get("phone") or "",
            first_name=cleaned.get("first_name") or "",
            last_name=cleaned.get("last_name") or "",
        )


def choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def staff_and_services(form: forms.Form, business: Business, staff: list[StaffMember]) -> None:
    choices(form, "staff").queryset = StaffMember.objects.filter(pk__in=[m.pk for m in staff])
    choices(form, "service").queryset = Service.objects.filter(business=business, is_active=True)


class BookForm(LocalMoment, ClientFields):
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.none(), label=gettext_lazy("Staff"))
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=gettext_lazy("Service"))
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label=gettext_lazy("Notes")
    )
    walk_in = forms.BooleanField(required=False, label=gettext_lazy("Walk-in (the client is here now)"))
    override_holds = override_holds_field()
    field_order = [
        "staff",
        "service",
        "date",
        "time",
        "first_name",
        "last_name",
        "phone",
        "email",
        "notes",
        "walk_in",
        "override_holds",
    ]

    @property
    def source(self) -> str:
        return Appointment.Source.WALK_IN if self.cleaned_data.get("walk_in") else Appointment.Source.ADMIN

    def __init__(self, *args, business: Business, staff: list[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business
        staff_and_services(self, business, staff)


class WalkInForm(ClientFields):
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        label=gettext_lazy("Staff"),
        empty_label=gettext_lazy("Whoever is free first"),
    )
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=gettext_lazy("Service"))
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label=gettext_lazy("Notes")
    )
    field_order = ["staff", "service", "first_name", "last_name", "phone", "email", "notes"]

    def __init__(self, *args, business: Business, staff: list[StaffMember], limited: bool, **kwargs):
        super().__init__(*args, **kwargs)
        staff_and_services(self, business, staff)
        self.fields["first_name"].required = True
        self.fields["phone"].required = True
        if limited:  # a member limited to their own column takes the walk-in themselves
            choices(self, "staff").required = True
            choices(self, "staff").empty_label = None


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 40}), label=gettext_lazy("Reason"))


class RescheduleForm(LocalMoment):
    staff = forms.ModelChoiceField(queryset=StaffMember.objects.none(), label=gettext_lazy("Staff"))
    field_order = ["staff", "date", "time"]

    def __init__(self, *args, business: Business, staff: list[StaffMember], **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business
        choices(self, "staff").queryset = StaffMember.objects.filter(pk__in=[m.pk for m in staff])


class TimeOffForm(forms.Form):
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        label=gettext_lazy("Staff"),
        empty_label=gettext_lazy("The whole salon (closure)"),
    )
    date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_within_input_range],
    )
    start_time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        label=gettext_lazy("Start time"),
        help_text=gettext_lazy("Empty: from the start of the day."),
    )
    end_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_within_input_range],
        label=gettext_lazy("End date"),
        help_text=gettext_lazy("Empty: the same day."),
    )
    end_time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        label=gettext_lazy("End time"),
        help_text=gettext_lazy("Empty: to the end of the day."),
    )
    reason = forms.CharField(max_length=200, required=False, label=gettext_lazy("Reason"))

    def __init__(self, *args, business: Business, staff: list[StaffMember], closures: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business
        field = choices(self, "staff")
        field.queryset = StaffMember.objects.filter(pk__in=[m.pk for m in staff])
        if not closures:
            field.required = True
            field.empty_label = None

    def span(self) -> tuple[datetime, datetime]:
        cleaned = self.cleaned_data
        zone = self.business.zone
        start = datetime.combine(cleaned["date"], cleaned.get("start_time") or time(0), tzinfo=zone)
        end_day = cleaned.get("end_date") or cleaned["date"]
        if cleaned.get("end_time"):
            end = datetime.combine(end_day, cleaned["end_time"], tzinfo=zone)
        else:
            end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=zone)
        return start, end

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            start, end = self.span()
            if end <= start:
                raise ValidationError(_("The end must be after the start."))
        return cleaned
