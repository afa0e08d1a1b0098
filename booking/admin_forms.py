"""Admin forms that book and reschedule through the booking services (never raw saves).

The forms only validate. The admin (AppointmentAdmin.save_form) then calls `apply()`, which
books or reschedules through the services; when a service refuses, the admin shows the form
again with the service's message as the form's error (`refusal`). So nothing is booked as a
side effect of validating a form.
"""

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking.models import Appointment
from booking.services import CustomerDetails, actor_for, appointment_book_for_user, appointment_reschedule
from businesses.models import Business, Service, StaffMember
from config.errors import DomainError
from config.inputs import validate_within_input_range
from customers.models import User


def as_validation_error(error: DomainError) -> ValidationError:
    details = [f"{field}: {' '.join(map(str, messages))}" for field, messages in (error.fields or {}).items()]
    return ValidationError(" ".join([error.message, *details]))


def override_holds_field() -> forms.BooleanField:
    """Staff book over a customer's slot hold only when they say so (DESIGN §12)."""
    return forms.BooleanField(
        required=False,
        label=gettext_lazy("Book over a customer's hold"),
        help_text=gettext_lazy("A customer may be holding this time while they sign in: tick to book it anyway."),
    )


class ServiceRefusalMixin:
    """A form that can carry the booking service's refusal from the last attempt."""

    refusal: DomainError | None = None  # set by the admin when it shows the form again

    def add_refusal(self) -> None:
        if self.refusal is not None:
            raise as_validation_error(self.refusal)


class AppointmentBookForm(ServiceRefusalMixin, forms.ModelForm):
    """Book for a customer (matched by email) at a local date and time of the salon."""

    business = forms.ModelChoiceField(queryset=Business.objects.none(), label=gettext_lazy("Business"))
    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=gettext_lazy("Service"))
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        label=gettext_lazy("Staff"),
        empty_label=gettext_lazy("Any free staff member"),
    )
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        label=gettext_lazy("Date"),
        help_text=gettext_lazy("The salon's local date."),
        validators=[validate_within_input_range],
    )
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}),
        label=gettext_lazy("Time"),
        help_text=gettext_lazy("The salon's local time."),
    )
    customer_email = forms.EmailField(
        required=False, label=gettext_lazy("Customer email"), help_text=gettext_lazy("Email or phone (or both).")
    )
    customer_first_name = forms.CharField(required=False, max_length=100, label=gettext_lazy("Customer first name"))
    customer_last_name = forms.CharField(required=False, max_length=100, label=gettext_lazy("Customer last name"))
    customer_phone = forms.CharField(
        required=False,
        max_length=32,
        label=gettext_lazy("Customer phone"),
        help_text=gettext_lazy("National or +international format."),
    )
    notes = forms.CharField(widget=forms.Textarea, required=False, max_length=2000, label=gettext_lazy("Notes"))
    override_holds = override_holds_field()

    user: User  # set by the admin (AppointmentAdmin.get_form)

    class Meta:
        model = Appointment
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        if not self.errors:
            self.add_refusal()
        return self.cleaned_data

    def _post_clean(self) -> None:
        # The booking service builds the appointment; copying the form's "staff" (None =
        # any) onto an instance, as ModelForm would, means nothing here.
        pass

    def apply(self) -> Appointment:
        """Book through the service (DomainError if it refuses)."""
        cleaned = self.cleaned_data
        business = cleaned["business"]
        return appointment_book_for_user(
            user=self.user,
            business=business,
            service=cleaned["service"],
            staff=cleaned.get("staff"),
            start=datetime.combine(cleaned["date"], cleaned["time"], tzinfo=business.zone),
            customer_details=CustomerDetails(
                email=cleaned["customer_email"],
                phone=cleaned.get("customer_phone", ""),
                first_name=cleaned.get("customer_first_name", ""),
                last_name=cleaned.get("customer_last_name", ""),
            ),
            source=Appointment.Source.ADMIN,
            notes=cleaned.get("notes", ""),
            override_holds=cleaned.get("override_holds", False),
        )


class AppointmentChangeForm(ServiceRefusalMixin, forms.ModelForm):
    """Edit notes; optionally move the appointment to another local date/time or staff member."""

    reschedule_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label=gettext_lazy("Reschedule date"),
        help_text=gettext_lazy("New local date (to reschedule)."),
        validators=[validate_within_input_range],
    )
    reschedule_time = forms.TimeField(
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        label=gettext_lazy("Reschedule time"),
        help_text=gettext_lazy("New local time."),
    )
    reschedule_staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        label=gettext_lazy("Reschedule staff"),
        empty_label=gettext_lazy("The same staff member"),
    )

    user: User  # set by the admin

    class Meta:
        model = Appointment
        fields = ["notes"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        day, at = self.cleaned_data.get("reschedule_date"), self.cleaned_data.get("reschedule_time")
        if (day or at) and not (day and at):
            raise ValidationError(_("Give both a new date and a new time to reschedule."))
        if not self.errors:
            self.add_refusal()
        return self.cleaned_data

    def apply(self) -> Appointment:
        """Reschedule through the service when a new time is given (DomainError if it refuses)."""
        appointment = self.instance
        day, at = self.cleaned_data.get("reschedule_date"), self.cleaned_data.get("reschedule_time")
        if not (day and at):
            return appointment
        moved = appointment_reschedule(
            appointment=appointment,
            start=datetime.combine(day, at, tzinfo=appointment.business.zone),
            staff=self.cleaned_data.get("reschedule_staff"),
            by=actor_for(self.user, appointment.business),
        )
        moved.notes = appointment.notes  # the notes edited in the same form
        return moved
