from config.routing import route
from widget import views

urlpatterns = [
    route("widget/<business_id>", views.widget_page, name="widget"),
    route("widget-embed.js", views.embed_script_view, name="widget-embed"),
    route("embed-widget.js", views.embed_script_view),
]
