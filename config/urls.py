from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from booking.urls import urlpatterns as booking_urls
from businesses.urls import urlpatterns as business_urls
from config.api import api_not_found
from config.routing import route
from customers.urls import urlpatterns as customer_urls
from widget.urls import urlpatterns as widget_urls

handler500 = "config.api.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    route("api/schema", SpectacularAPIView.as_view(), name="api-schema"),
    route("api/docs", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *business_urls,
    *booking_urls,
    *customer_urls,
    *widget_urls,
    # Keep last among /api routes: unknown API paths answer in the API's error shape.
    re_path(r"^api/", api_not_found),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
