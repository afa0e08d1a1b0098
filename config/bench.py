"""A benchmark-only endpoint (BENCH_ENDPOINTS=1, off by default): the machine's ceiling.

`GET /bench/ping` answers a small JSON body through the whole stack (middleware, DRF, the
renderer) without touching the database or the cache, so bench/http_load.py can report
every figure as a share of what this server does with no work at all.
"""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


@extend_schema(exclude=True)
class BenchPing(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get(self, request):
        return Response({"ok": True, "service": "chairtime"})
