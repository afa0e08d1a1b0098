from config.routing import route
from customers import api

urlpatterns = [
    route("api/customer/auth/login", api.LoginView.as_view(), name="api-customer-login"),
    route("api/customer/auth/register", api.RegisterView.as_view(), name="api-customer-register"),
    route("api/customer/auth/verify", api.VerifyView.as_view(), name="api-customer-verify"),
    route("api/customer/auth/logout", api.LogoutView.as_view(), name="api-customer-logout"),
    route("api/customer/me", api.MeView.as_view(), name="api-customer-me"),
    route("api/customer/phone/verify", api.PhoneVerifyView.as_view(), name="api-customer-phone-verify"),
]
