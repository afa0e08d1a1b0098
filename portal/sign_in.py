"""Customer pages: sign-in by code (the same flow as the API, kept in the session)."""

from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from businesses.selectors import business_by_id
from config.errors import DomainError
from config.inputs import reject_nul_characters
from config.languages import requested_language, use_business_language
from customers.credentials import CUSTOMER_ONLY_SESSION
from customers.rate_limits import request_rate_limit
from customers.services import customer_for_user, customer_update_profile, sign_in_start, sign_in_verify
from portal.forms import NameForm, valid_input

SESSION_KEY = "chairtime_sign_in"


def safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("customer-portal")


@require_http_methods(["GET", "POST"])
def login_page(request):
    pending = request.session.get(SESSION_KEY, {})
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next") or pending.get("next"))
    business = business_by_id(request.POST.get("business") or request.GET.get("business") or pending.get("business"))
    use_business_language(request, business)
    context: dict[str, object] = {"next": next_url, "business": business, "step": "contact", "error": None}

    if request.user.is_authenticated and request.method == "GET" and "restart" not in request.GET:
        customer = customer_for_user(request.user)
        if customer.first_name:
            return redirect(next_url)
        return render(request, "customer/login.html", {**context, "step": "name", "customer": customer})

    if request.method == "GET":
        if "restart" in request.GET:
            request.session.pop(SESSION_KEY, None)
        elif pending.get("challenge"):
            context.update(step="code", contact=pending.get("contact"), channel=pending.get("channel"))
        return render(request, "customer/login.html", context)

    action = request.POST.get("action")
    try:
        reject_nul_characters(request.POST)
        if action == "start":
            return start(request, context)
        if action == "verify":
            return verify(request, context, pending)
        if action == "name" and request.user.is_authenticated:
            return save_name(request, context)
    except DomainError as error:
        context.update(error=error.message)
        if action == "verify":
            context.update(step="code", contact=pending.get("contact"), channel=pending.get("channel"))
        elif action == "name" and request.user.is_authenticated:
            context.update(step="name", customer=customer_for_user(request.user))
        return render(request, "customer/login.html", context, status=error.status_code)
    return redirect("customer-login")


def start(request, context):
    contact = request.POST.get("contact", "").strip()
    is_email = "@" in contact
    business = context["business"]
    challenge = sign_in_start(
        limit=request_rate_limit(request),
        email=contact if is_email else "",
        phone="" if is_email else contact,
        region=business.country if business else None,
    )
    request.session[SESSION_KEY] = {
        "challenge": challenge.key,
        "channel": challenge.channel,
        "contact": contact,
        "next": context["next"],
        "business": str(business.pk) if business else "",
    }
    return render(
        request, "customer/login.html", {**context, "step": "code", "contact": contact, "channel": challenge.channel}
    )


def verify(request, context, pending):
    if not pending.get("challenge"):
        return redirect("customer-login")
    customer = sign_in_verify(
        key=pending["challenge"],
        code=request.POST.get("code", ""),
        limit=request_rate_limit(request),
        language=requested_language(request),
    )
    login(request, customer.user, backend="django.contrib.auth.backends.ModelBackend")  # rotates the session
    request.session[CUSTOMER_ONLY_SESSION] = True
    if not customer.first_name:  # a new customer: keep where to go for after the name step
        request.session[SESSION_KEY] = {"next": context["next"], "business": pending.get("business", "")}
        return render(request, "customer/login.html", {**context, "step": "name", "customer": customer})
    request.session.pop(SESSION_KEY, None)
    return redirect(context["next"])


def save_name(request, context):
    customer_update_profile(customer=customer_for_user(request.user), **valid_input(NameForm, request.POST))
    request.session.pop(SESSION_KEY, None)
    return redirect(context["next"])


@require_http_methods(["GET", "POST"])
def logout_page(request):
    if request.method == "POST":
        logout(request)
        return redirect("customer-login")
    return render(request, "customer/logout.html")
