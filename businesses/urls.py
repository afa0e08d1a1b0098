from businesses import api, views
from config.routing import route

urlpatterns = [
    route("api/business/<business_id>/services", api.ServicesView.as_view()),
    route("api/customer/services/<business_id>", api.ServicesView.as_view()),
    route("api/business/<business_id>/staff", api.StaffView.as_view()),
    route("api/business/<business_id>/hours", api.HoursView.as_view()),
    route("api/business/<business_id>/resources", api.ResourcesView.as_view()),
    route("styles/brand/<business_id>", views.brand_css, name="brand-css"),
]
