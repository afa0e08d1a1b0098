from config.routing import route
from integrations import api

urlpatterns = [
    route("api/business/<business_id>/webhooks", api.WebhooksView.as_view()),
    route("api/business/<business_id>/webhooks/<webhook_id>", api.WebhookDetailView.as_view()),
]
