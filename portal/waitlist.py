"""The portal's waitlist (DESIGN §12): join when no time suits, see and leave one's entries,
and take an offered time from the one-click link in the offer's e-mail or SMS."""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from booking.errors import SlotUnavailable
from booking.models import WaitlistOffer
from booking.waitlist import (
    Window,
    customer_entry,
    customer_waitlist,
    offer_book,
    offer_for_token,
    offer_is_open,
    waitlist_join,
    waitlist_leave,
    windows_of,
)
from businesses.models import Service, StaffMember, Weekday
from config.api_fields import parse_uuid
from config.errors import DomainError
from config.inputs import validate_within_input_range
from customers.services import customer_for_user
from portal.views import salon_or_404

DAY = forms.DateInput(attrs={"type": "date"})
HOUR = forms.TimeInput(attrs={"type": "time"})


class JoinForm(forms.Form):
    """One window: from a date to a date, optionally after and before a time, on some weekdays."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), label=gettext_lazy("Service"))
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=gettext_lazy("Anyone"),
        label=gettext_lazy("With"),
    )
    from_date = forms.DateField(label=gettext_lazy("From"), widget=DAY, validators=[validate_within_input_range])
    to_date = forms.DateField(label=gettext_lazy("Until"), widget=DAY, validators=[validate_within_input_range])
    from_time = forms.TimeField(label=gettext_lazy("Not before"), required=False, widget=HOUR)
    to_time = forms.TimeField(label=gettext_lazy("Done by"), required=False, widget=HOUR)
    weekdays = forms.TypedMultipleChoiceField(
        label=gettext_lazy("On"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: any day."),
    )

    def __init__(self, *args, business, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(business=business, is_active=True)  # type: ignore[attr-defined]
        self.fields["staff"].queryset = StaffMember.objects.filter(business=business, is_active=True)  # type: ignore[attr-defined]

    def window(self) -> Window:
        data = self.cleaned_data
        weekdays = tuple(sorted(data["weekdays"])) if data["weekdays"] else None
        return Window(data["from_date"], data["to_date"], data["from_time"], data["to_time"], weekdays)


@login_required
@require_http_methods(["GET", "POST"])
def join_page(request):
    business = salon_or_404(request, request.GET.get("business") or request.POST.get("business"))
    today = timezone.localdate(timezone=business.zone)
    initial = {
        "service": request.GET.get("service"),
        "staff": request.GET.get("staff") if request.GET.get("staff") not in (None, "", "any") else None,
        "from_date": today,
        "to_date": today + timedelta(days=14),
    }
    form = JoinForm(request.POST or None, business=business, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            waitlist_join(
                customer=customer_for_user(request.user),
                business=business,
                service=form.cleaned_data["service"],
                staff=form.cleaned_data["staff"],
                windows=[form.window()],
            )
        except DomainError as error:
            for field, messages in (error.fields or {}).items():
                name = field.rsplit(".", 1)[-1]
                form.add_error(name if name in form.fields else None, " ".join(map(str, messages)))
            if not error.fields:
                form.add_error(None, error.message)
        else:
            return redirect(f"{reverse('customer-waitlist')}?joined=1")
    status = 400 if request.method == "POST" else 200
    return render(request, "customer/waitlist_join.html", {"business": business, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def waitlist_page(request):
    customer = customer_for_user(request.user)
    if request.method == "POST":
        entry = customer_entry(customer, parse_uuid(request.POST.get("entry", "")), now=timezone.now())
        if entry is None:
            raise Http404
        waitlist_leave(entry=entry)
        return redirect(f"{reverse('customer-waitlist')}?left=1")
    entries = [(entry, windows_of(entry)) for entry in customer_waitlist(customer, now=timezone.now())]
    return render(request, "customer/waitlist.html", {"entries": entries, "joined": "joined" in request.GET})


@require_http_methods(["GET", "POST"])
def offer_page(request, token):
    """The offer's one-click link: the page shows the time and books it with one button (a
    POST, so a mail scanner opening the link books nothing)."""
    offer = offer_for_token(token)
    if offer is None:
        raise Http404(_("This link is not valid."))
    entry = offer.entry
    business = entry.business
    context = {"business": business, "offer": offer, "entry": entry, "open": offer_is_open(offer, now=timezone.now())}
    if offer.status == WaitlistOffer.Status.TAKEN:
        context["error"] = _("Sorry, this time has just been taken.")
    if request.method == "POST" and context["open"]:
        try:
            appointment = offer_book(offer=offer)
        except SlotUnavailable:
            context.update(open=False, error=_("Sorry, this time has just been taken."))
            return render(request, "customer/waitlist_offer.html", context, status=409)
        except DomainError as error:
            context.update(open=False, error=error.message)
            return render(request, "customer/waitlist_offer.html", context, status=error.status_code)
        context.update(booked=appointment, open=False)
    elif request.method == "POST":
        return render(request, "customer/waitlist_offer.html", context, status=409)
    return render(request, "customer/waitlist_offer.html", context)
