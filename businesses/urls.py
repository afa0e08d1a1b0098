from businesses import api, management_api, views
from config.routing import route

urlpatterns = [
    route("api/business/<business_id>/services", management_api.ServicesView.as_view()),
    route("api/business/<business_id>/services/<service_id>", management_api.ServiceDetailView.as_view()),
    route("api/customer/services/<business_id>", api.ServicesView.as_view()),
    route("api/business/<business_id>/staff", management_api.StaffView.as_view()),
    route("api/business/<business_id>/staff/<staff_id>", management_api.StaffDetailView.as_view()),
    route("api/business/<business_id>/staff/<staff_id>/hours", management_api.StaffHoursView.as_view()),
    route("api/business/<business_id>/hours", management_api.HoursView.as_view()),
    route("api/business/<business_id>/resources", management_api.ResourcesView.as_view()),
    route("api/business/<business_id>/resources/<resource_id>", management_api.ResourceDetailView.as_view()),
    route("api/business/<business_id>/time-off", management_api.TimeOffView.as_view()),
    route("api/business/<business_id>/time-off/<time_off_id>", management_api.TimeOffDetailView.as_view()),
    route("api/business/<business_id>/settings", management_api.SettingsView.as_view()),
    route("api/business/<business_id>/appointments", management_api.AppointmentsView.as_view()),
    route("styles/brand/<business_id>", views.brand_css, name="brand-css"),
]
