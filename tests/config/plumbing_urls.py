"""Test-only API views that exercise the plumbing before real endpoints exist."""

from django.http import Http404
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from config.errors import Busy, DomainError
from config.routing import route
from config.urls import urlpatterns as app_urlpatterns


class EchoInput(serializers.Serializer):
    name = serializers.CharField(max_length=20)
    count = serializers.IntegerField(min_value=1)


class Echo(APIView):
    def get(self, request, thing_id=None):
        if thing_id == "missing":
            raise Http404
        return Response({"thing": thing_id, "user": request.user.email if request.user.is_authenticated else None})

    def post(self, request, thing_id=None):
        data = EchoInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(data.validated_data, status=201)


class WhoAmI(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"email": request.user.email})


class SlotTaken(DomainError):
    code = "slot_unavailable"
    status_code = 409


class Failing(APIView):
    def get(self, request, kind):
        if kind == "domain":
            raise SlotTaken("That time was just taken.")
        if kind == "busy":
            raise Busy()
        if kind == "forbidden":
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied()
        raise RuntimeError("a bug")


class OncePerMinute(AnonRateThrottle):
    rate = "1/min"
    scope = "test-once"


class Throttled(APIView):
    throttle_classes = [OncePerMinute]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    route("api/test/echo/<thing_id>", Echo.as_view()),
    route("api/test/whoami", WhoAmI.as_view()),
    route("api/test/fail/<kind>", Failing.as_view()),
    route("api/test/throttled", Throttled.as_view()),
    *app_urlpatterns,
]
