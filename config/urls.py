from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path, re_path, reverse_lazy
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from booking.api.urls import urlpatterns as booking_urls
from businesses.urls import urlpatterns as business_urls
from config.api import api_not_found
from config.bench import BenchPing
from config.media import serve_media
from config.routing import route
from customers.urls import urlpatterns as customer_urls
from integrations.urls import urlpatterns as integration_urls
from portal.urls import urlpatterns as portal_urls
from widget.urls import urlpatterns as widget_urls

handler500 = "config.api.server_error"

urlpatterns = [
    # Choosing a password from an invitation (businesses.services.member_invite); the admin's templates.
    path(
        "admin/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("admin/password/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    route("api/schema", SpectacularAPIView.as_view(), name="api-schema"),
    route("api/docs", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    *business_urls,
    *booking_urls,
    *customer_urls,
    *integration_urls,
    *portal_urls,
    *widget_urls,
    # The widget's strings in the request's language (the djangojs catalogue).
    route("jsi18n", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The benchmarks' trivial endpoint, only where BENCH_ENDPOINTS=1 (bench/http_load.py).
    *([route("bench/ping", BenchPing.as_view(), name="bench-ping")] if settings.BENCH_ENDPOINTS else []),
    # Keep last among /api routes: unknown API paths answer in the API's error shape.
    re_path(r"^api/", api_not_found),
    # Uploads, with the headers that keep them inert (docs/security.md: a front server may take over).
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", serve_media, name="media"),
]
