"""The app's URLs as with BENCH_ENDPOINTS=1."""

from config.bench import BenchPing
from config.routing import route
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [route("bench/ping", BenchPing.as_view()), *app_urlpatterns]
