"""What the portal's forms accept: one class per form, so limits and cleaning live in one
place (Django's fields also refuse NUL characters), and one way to turn a bad form into
the error the page shows."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from config.errors import InvalidInput


class NameForm(forms.Form):
    first_name = forms.CharField(
        max_length=100, error_messages={"required": gettext_lazy("Please tell us your first name.")}
    )
    last_name = forms.CharField(max_length=100, required=False)


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    sms_opt_out = forms.BooleanField(required=False)
    reminders_opt_out = forms.BooleanField(required=False)
    language = forms.ChoiceField(choices=[("", ""), *settings.LANGUAGES], required=False)


class BookingNotesForm(forms.Form):
    notes = forms.CharField(max_length=2000, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)


def valid_input(form_class: type[forms.Form], data: Any) -> dict[str, Any]:
    """The form's cleaned data, or InvalidInput (400) with its first message, naming the fields."""
    form = form_class(data)
    if form.is_valid():
        return form.cleaned_data
    fields = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    raise InvalidInput(next(iter(fields.values()))[0], fields=fields)
