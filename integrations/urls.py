from config.routing import route
from integrations import api, views

urlpatterns = [
    route("api/business/<business_id>/webhooks", api.WebhooksView.as_view()),
    route("api/business/<business_id>/webhooks/<webhook_id>", api.WebhookDetailView.as_view()),
    route("calendar/staff/<token>.ics", views.staff_feed, name="calendar-staff-feed"),
    route("calendar/business/<token>.ics", views.business_feed, name="calendar-business-feed"),
]
