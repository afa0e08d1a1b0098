"""Webhook endpoints of a business (DESIGN §11): owners only (their URLs often carry a
credential of the receiver's), as in the admin."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from businesses.api import business_for_member
from businesses.management_api import owned_or_404
from businesses.models import Business
from config.api_schema import errors
from integrations.models import Event, WebhookEndpoint
from integrations.services import endpoint_delete, endpoint_save, validate_webhook_url


class WebhookOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.choices))

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active"]


class CreatedWebhookOutput(WebhookOutput):
    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]


class WebhookInput(serializers.Serializer):
    url = serializers.URLField(max_length=2000, validators=[validate_webhook_url])
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=Event.choices), allow_empty=False, max_length=len(Event.choices)
    )
    is_active = serializers.BooleanField(default=True)


def endpoint_of(business: Business, webhook_id) -> WebhookEndpoint:
    endpoint = owned_or_404(business.webhook_endpoints.all(), webhook_id)
    endpoint.business = business
    return endpoint


class WebhookView(APIView):
    permission_classes = [IsAuthenticated]


class WebhooksView(WebhookView):
    @extend_schema(
        operation_id="business_webhooks_list",
        summary="Webhook endpoints of a business (owners)",
        responses={200: WebhookOutput(many=True), **errors(401, 403, 404)},
        tags=["webhooks"],
    )
    def get(self, request, business_id):
        business = business_for_member(request, business_id, write=True)
        return Response(WebhookOutput(business.webhook_endpoints.all(), many=True).data)

    @extend_schema(
        operation_id="business_webhooks_create",
        summary="Subscribe an endpoint (owners); the answer holds its signing secret, shown only here",
        request=WebhookInput,
        responses={201: CreatedWebhookOutput, **errors(400, 401, 403, 404, 415)},
        tags=["webhooks"],
    )
    def post(self, request, business_id):
        business = business_for_member(request, business_id, write=True)
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = endpoint_save(WebhookEndpoint(business=business, **data.validated_data))
        return Response(CreatedWebhookOutput(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(WebhookView):
    @extend_schema(
        operation_id="business_webhooks_retrieve",
        summary="One webhook endpoint (owners)",
        responses={200: WebhookOutput, **errors(401, 403, 404)},
        tags=["webhooks"],
    )
    def get(self, request, business_id, webhook_id):
        endpoint = endpoint_of(business_for_member(request, business_id, write=True), webhook_id)
        return Response(WebhookOutput(endpoint).data)

    @extend_schema(
        operation_id="business_webhooks_update",
        summary="Change an endpoint's URL, events or active flag (owners); on again, it starts afresh",
        request=WebhookInput(partial=True),
        responses={200: WebhookOutput, **errors(400, 401, 403, 404, 415)},
        tags=["webhooks"],
    )
    def patch(self, request, business_id, webhook_id):
        endpoint = endpoint_of(business_for_member(request, business_id, write=True), webhook_id)
        data = WebhookInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        for field, value in data.validated_data.items():
            setattr(endpoint, field, value)
        return Response(WebhookOutput(endpoint_save(endpoint)).data)

    @extend_schema(
        operation_id="business_webhooks_destroy",
        summary="Unsubscribe an endpoint (owners)",
        responses={204: None, **errors(401, 403, 404)},
        tags=["webhooks"],
    )
    def delete(self, request, business_id, webhook_id):
        endpoint_delete(endpoint_of(business_for_member(request, business_id, write=True), webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
