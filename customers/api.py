"""Customer sign-in API (DESIGN §6): a thin layer over customers.services."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_fields import StrictCharField, StrictEmailField
from config.api_schema import errors
from config.languages import requested_language
from customers.credentials import issue_customer_token
from customers.models import CustomerAccount
from customers.rate_limits import request_rate_limit
from customers.services import (
    customer_for_user,
    phone_verification_confirm,
    sign_in_start,
    sign_in_verify,
)


class SignInInput(serializers.Serializer):
    email = StrictEmailField(required=False, allow_blank=True)
    phone = StrictCharField(required=False, allow_blank=True, max_length=32)
    first_name = StrictCharField(required=False, allow_blank=True, max_length=100)
    last_name = StrictCharField(required=False, allow_blank=True, max_length=100)

    def validate(self, data):
        if not data.get("email") and not data.get("phone"):
            raise serializers.ValidationError({"email": [_("Give an email address or a phone number.")]})
        return data


class RegisterInput(SignInInput):
    email = StrictEmailField()


class ChallengeOutput(serializers.Serializer):
    challenge = serializers.CharField(source="key", help_text="Send it back with the code to /verify.")
    channel = serializers.ChoiceField(choices=["email", "sms"])
    expires_in = serializers.IntegerField(help_text="Seconds the code stays valid.")


class VerifyInput(serializers.Serializer):
    challenge = StrictCharField(max_length=64)
    code = StrictCharField(max_length=32)


class CustomerOutput(serializers.ModelSerializer):
    class Meta:
        model = CustomerAccount
        fields = ["id", "email", "phone", "first_name", "last_name"]


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as 'Authorization: Token <token>'.")
    customer = CustomerOutput()


class CodeInput(serializers.Serializer):
    code = StrictCharField(max_length=32)


def django_request(request):
    return getattr(request, "_request", request)


class SignInStartView(APIView):
    """Shared by login and register: both answer 202 with a challenge, known or not."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    input_serializer = SignInInput

    def post(self, request):
        data = self.input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = sign_in_start(limit=request_rate_limit(django_request(request)), **data.validated_data)
        return Response(ChallengeOutput(challenge).data, status=status.HTTP_202_ACCEPTED)


CHALLENGE_EXAMPLE = OpenApiExample(
    "Code sent", value={"challenge": "q2V...8s", "channel": "email", "expires_in": 600}, response_only=True
)


@extend_schema(
    summary="Ask for a sign-in code (email, or a verified phone)",
    description="Always 202 with the same shape, whether or not the person has an account.",
    request=SignInInput,
    responses={202: ChallengeOutput, **errors(400, 415, 429)},
    examples=[OpenApiExample("By email", value={"email": "dana@example.com"}, request_only=True), CHALLENGE_EXAMPLE],
    tags=["customer auth"],
)
class LoginView(SignInStartView):
    input_serializer = SignInInput


@extend_schema(
    summary="Sign up: a code by email; the account is created when it is verified",
    request=RegisterInput,
    responses={202: ChallengeOutput, **errors(400, 415, 429)},
    examples=[
        OpenApiExample(
            "New customer",
            value={"email": "dana@example.com", "phone": "+447911123456", "first_name": "Dana", "last_name": "Doe"},
            request_only=True,
        ),
        CHALLENGE_EXAMPLE,
    ],
    tags=["customer auth"],
)
class RegisterView(SignInStartView):
    input_serializer = RegisterInput


@extend_schema(
    summary="Verify the code: a token for the (new or existing) customer",
    request=VerifyInput,
    responses={200: TokenOutput, **errors(400, 415, 429)},
    tags=["customer auth"],
)
class VerifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        data = VerifyInput(data=request.data)
        data.is_valid(raise_exception=True)
        customer = sign_in_verify(
            key=data.validated_data["challenge"],
            code=data.validated_data["code"],
            limit=request_rate_limit(django_request(request)),
            language=requested_language(django_request(request)),
        )
        token = issue_customer_token(customer)
        return Response({"token": token, "customer": CustomerOutput(customer).data})


@extend_schema(
    summary="Sign out: revokes only the token used for this call",
    request=None,
    responses={204: None, **errors(401)},
    tags=["customer auth"],
)
class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        else:
            from django.contrib.auth import logout

            logout(django_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="The signed-in customer", responses={200: CustomerOutput, **errors(401)}, tags=["customer"])
class MeView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(CustomerOutput(customer_for_user(request.user)).data)


@extend_schema(
    summary="Confirm the phone number with the code sent to it by SMS",
    request=CodeInput,
    responses={200: CustomerOutput, **errors(400, 401, 415)},
    tags=["customer"],
)
class PhoneVerifyView(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request):
        data = CodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        customer = phone_verification_confirm(
            customer=customer_for_user(request.user), code=data.validated_data["code"]
        )
        return Response(CustomerOutput(customer).data)
