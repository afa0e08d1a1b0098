"""Webhooks in the admin: owners subscribe endpoints, see every delivery and its attempts,
and resend."""

import json

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from businesses.admin_scoping import OWNER, BusinessScopedAdmin
from integrations.models import ApiToken, Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import (
    api_token_create,
    api_token_revoke,
    delivery_resend,
    endpoint_delete,
    endpoint_save,
    validate_webhook_url,
)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=gettext_lazy("Url"),
        max_length=2000,
        assume_scheme="https",
        help_text=gettext_lazy("Where events are POSTed."),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["business", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        validate_webhook_url(url)
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(BusinessScopedAdmin):
    form = WebhookEndpointForm
    viewing_roles = OWNER
    list_display = ["url", "business", "events_display", "is_active", "failing_since"]
    list_filter = ["is_active", ("business", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["business"]
    readonly_fields = ["failing_since", "disabled_reason", "created_at", "deliveries_link"]

    @admin.display(description=gettext_lazy("events"))
    def events_display(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description=gettext_lazy("deliveries"))
    def deliveries_link(self, endpoint: WebhookEndpoint) -> str:
        if endpoint.pk is None:
            return "-"
        url = reverse("admin:integrations_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Every delivery to this endpoint"))

    def save_model(self, request, obj, form, change):
        endpoint_save(obj)
        if not change:
            self.message_user(
                request,
                format_html(
                    _(
                        # Translators: {} is the secret (whsec_…); keep <code>{}</code> as it is.
                        "Signing secret of this endpoint, shown only now; your receiver verifies with it: "
                        "<code>{}</code>"
                    ),
                    obj.secret,
                ),
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        endpoint_delete(obj)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            endpoint_delete(endpoint)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ["started_at", "status_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(BusinessScopedAdmin):
    business_lookup = "endpoint__business"
    viewing_roles = OWNER
    list_display = ["created_at", "event_type", "endpoint", "status", "attempts", "next_attempt_at", "delivered_at"]
    list_filter = ["status", "event_type", ("endpoint", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["endpoint"]
    fields = [
        "webhook_id",
        "endpoint",
        "event_type",
        "ordering_key",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
        "delivered_at",
        "payload_display",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["resend"]

    @admin.display(description=gettext_lazy("payload"))
    def payload_display(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2, sort_keys=True))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Resend the selected deliveries"))
    def resend(self, request, queryset):
        count = 0
        for delivery in queryset.order_by("id"):
            delivery_resend(delivery)
            count += 1
        message = ngettext("%(count)d delivery queued again.", "%(count)d deliveries queued again.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(BusinessScopedAdmin):
    """Owners make, name and revoke API tokens for their salon; a token is shown once."""

    viewing_roles = OWNER
    fields = ["business", "name"]
    list_display = ["name", "business", "owner", "key_start", "created_at"]
    list_select_related = ["business", "token__user"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["business", "name"] if obj is not None else []

    def has_add_permission(self, request):
        # A token acts as whoever makes it: an owner's, never a superuser's (create_api_token).
        return not request.user.is_superuser and super().has_add_permission(request)

    @admin.display(description=gettext_lazy("made by"))
    def owner(self, named: ApiToken) -> str:
        return named.token.user.email

    @admin.display(description=gettext_lazy("starts with"))
    def key_start(self, named: ApiToken) -> str:
        return f"{named.token.token_key}…"

    def save_model(self, request, obj, form, change):
        if change:
            return
        key = api_token_create(named=obj, user=request.user)
        self.message_user(
            request,
            format_html(
                # Translators: "Authorization: Token …" is an HTTP header and {} is the token; keep them as they are.
                _("The API token, shown only now; send it as <code>Authorization: Token …</code>: <code>{}</code>"),
                key,
            ),
            messages.WARNING,
        )

    def delete_model(self, request, obj):
        api_token_revoke(obj)

    def delete_queryset(self, request, queryset):
        for named in queryset:
            api_token_revoke(named)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "revoke" says what it does
        return actions

    @admin.action(
        description=gettext_lazy("Revoke the selected tokens (they stop working at once)"), permissions=["delete"]
    )
    def revoke(self, request, queryset):
        count = 0
        for named in queryset:
            api_token_revoke(named)
            count += 1
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
