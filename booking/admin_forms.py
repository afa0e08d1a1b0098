"""Admin forms that book and reschedule through the booking services (never raw saves)."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from booking.models import Appointment
from booking.services import CustomerDetails, actor_for, appointment_book_for_user, appointment_reschedule
from businesses.models import Business, Service, StaffMember
from config.errors import DomainError
from config.inputs import validate_within_input_range
from customers.models import User


def as_validation_error(error: DomainError) -> ValidationError:
    details = [f"{field}: {' '.join(map(str, messages))}" for field, messages in (error.fields or {}).items()]
    return ValidationError(" ".join([error.message, *details]))


class AppointmentBookForm(forms.ModelForm):
    """Book for a customer (matched by email) at a local date and time of the salon."""

    business = forms.ModelChoiceField(queryset=Business.objects.none())
    service = forms.ModelChoiceField(queryset=Service.objects.none())
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(), required=False, empty_label="Any free staff member"
    )
    date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The salon's local date.",
        validators=[validate_within_input_range],
    )
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), help_text="The salon's local time.")
    customer_email = forms.EmailField()
    customer_first_name = forms.CharField(required=False)
    customer_last_name = forms.CharField(required=False)
    customer_phone = forms.CharField(required=False, help_text="National or +international format.")
    notes = forms.CharField(widget=forms.Textarea, required=False)

    user: User  # set by the admin (AppointmentAdmin.get_form)

    class Meta:
        model = Appointment
        fields: list[str] = []

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        business = cleaned["business"]
        start = datetime.combine(cleaned["date"], cleaned["time"], tzinfo=business.zone)
        try:
            self.instance = appointment_book_for_user(
                user=self.user,
                business=business,
                service=cleaned["service"],
                staff=cleaned.get("staff"),
                start=start,
                customer_details=CustomerDetails(
                    email=cleaned["customer_email"],
                    phone=cleaned.get("customer_phone", ""),
                    first_name=cleaned.get("customer_first_name", ""),
                    last_name=cleaned.get("customer_last_name", ""),
                ),
                source=Appointment.Source.ADMIN,
                notes=cleaned.get("notes", ""),
            )
        except DomainError as error:
            raise as_validation_error(error) from None
        return cleaned

    def _post_clean(self):
        # The booking service built and validated the appointment; copying the form's
        # "staff" (None = any) back onto it, as ModelForm would, would undo its choice.
        pass


class AppointmentChangeForm(forms.ModelForm):
    """Edit notes; optionally move the appointment to another local date/time or staff member."""

    reschedule_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="New local date (to reschedule).",
        validators=[validate_within_input_range],
    )
    reschedule_time = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}), help_text="New local time."
    )
    reschedule_staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(), required=False, empty_label="The same staff member"
    )

    user: User  # set by the admin

    class Meta:
        model = Appointment
        fields = ["notes"]

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        day, at = cleaned.get("reschedule_date"), cleaned.get("reschedule_time")
        if self.errors or not (day or at):
            return cleaned
        if not (day and at):
            raise ValidationError("Give both a new date and a new time to reschedule.")
        appointment = self.instance
        try:
            self.instance = appointment_reschedule(
                appointment=appointment,
                start=datetime.combine(day, at, tzinfo=appointment.business.zone),
                staff=cleaned.get("reschedule_staff"),
                by=actor_for(self.user, appointment.business),
            )
        except DomainError as error:
            raise as_validation_error(error) from None
        return cleaned
