from config.routing import route
from customers import account, api, portal, views

urlpatterns = [
    route("api/customer/auth/login", api.LoginView.as_view(), name="api-customer-login"),
    route("api/customer/auth/register", api.RegisterView.as_view(), name="api-customer-register"),
    route("api/customer/auth/verify", api.VerifyView.as_view(), name="api-customer-verify"),
    route("api/customer/auth/logout", api.LogoutView.as_view(), name="api-customer-logout"),
    route("api/customer/me", api.MeView.as_view(), name="api-customer-me"),
    route("api/customer/phone/verify", api.PhoneVerifyView.as_view(), name="api-customer-phone-verify"),
    route("", portal.landing, name="landing"),
    route("customer/login", views.login_page, name="customer-login"),
    route("customer/logout", views.logout_page, name="customer-logout"),
    route("customer/portal", portal.portal, name="customer-portal"),
    route("customer/book-appointment", portal.book, name="customer-book"),
    route("customer/book", portal.book),
    route("customer/appointment-history", portal.history, name="customer-history"),
    route("customer/appointments/<appointment_id>", portal.appointment_detail, name="customer-appointment"),
    route("customer/appointments/<appointment_id>/calendar.ics", portal.appointment_calendar),
    route("customer/appointments/<appointment_id>/cancel", portal.appointment_cancel_page),
    route("customer/appointments/<appointment_id>/reschedule", portal.appointment_reschedule_page),
    route("customer/account", account.account, name="customer-account"),
    route("customer/account/export", portal.account_export),
    route("customer/account/delete", portal.account_delete),
]
