"""/customer/account: name, email and phone (re-verified by code), preferences, data, deletion."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.errors import DomainError
from config.inputs import reject_nul_characters
from config.languages import remember_choice, request_language
from customers.errors import CodeExpired, InvalidCode
from customers.rate_limits import request_rate_limit
from customers.services import (
    customer_for_user,
    customer_update_profile,
    email_change_confirm,
    email_change_start,
    phone_change_start,
    phone_verification_confirm,
)
from portal.forms import ProfileForm, valid_input

PENDING = "chairtime_account_pending"  # which code the page waits for: "email" or "phone"


def update_profile(request, customer) -> str:
    customer_update_profile(customer=customer, **valid_input(ProfileForm, request.POST))
    translation.activate(customer.language or request_language(request))  # a new language shows at once
    return _("Saved.")


def start_email_change(request, customer) -> str:
    new_email = request.POST.get("email", "")
    email_change_start(customer=customer, new_email=new_email, limit=request_rate_limit(request))
    request.session[PENDING] = "email"
    return _("We sent a code to %(email)s. Enter it below to confirm the change.") % {"email": new_email.strip()}


def confirm_email_change(request, customer) -> str:
    email_change_confirm(customer=customer, code=request.POST.get("code", ""))
    request.session.pop(PENDING, None)
    return _("Your email address is now %(email)s.") % {"email": customer.email}


def start_phone_change(request, customer) -> str:
    new_phone = request.POST.get("phone", "")
    phone_change_start(customer=customer, phone=new_phone, limit=request_rate_limit(request))
    request.session[PENDING] = "phone"
    return _("We texted a code to %(phone)s. Enter it below to confirm your number.") % {"phone": new_phone.strip()}


def confirm_phone(request, customer) -> str:
    phone_verification_confirm(customer=customer, code=request.POST.get("code", ""))
    request.session.pop(PENDING, None)
    return _("Your phone number is confirmed.")


ACTIONS = {
    "profile": update_profile,
    "email_start": start_email_change,
    "email_verify": confirm_email_change,
    "phone_start": start_phone_change,
    "phone_verify": confirm_phone,
}


def failure_fields(failure: DomainError) -> dict:
    """The fields an error is about, so the page can tie them to it (a wrong code is the code's)."""
    if failure.code in {InvalidCode.code, CodeExpired.code}:
        return {"code": [failure.message]}
    return failure.fields or {}


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    customer = customer_for_user(request.user)
    message, error, error_fields, status = "", "", {}, 200
    action = ACTIONS.get(request.POST.get("action", "")) if request.method == "POST" else None
    if action is not None:
        try:
            reject_nul_characters(request.POST)
            message = action(request, customer)
        except DomainError as failure:
            error, error_fields, status = failure.message, failure_fields(failure), failure.status_code
    response = render(
        request,
        "customer/account.html",
        {
            "customer": customer,
            "message": message,
            "error": error,
            "error_fields": error_fields,
            "pending": request.session.get(PENDING),
            "confirm_delete": request.GET.get("delete") == "confirm",
        },
        status=status,
    )
    if action is update_profile and not error:  # this browser's earlier switch gives way to the account's choice
        remember_choice(response, customer.language)
    return response
