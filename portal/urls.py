from config.routing import route
from portal import account, language, sign_in, views, visits, waitlist

urlpatterns = [
    route("", views.landing, name="landing"),
    route("customer/language", language.switch_language, name="customer-language"),
    route("customer/login", sign_in.login_page, name="customer-login"),
    route("customer/logout", sign_in.logout_page, name="customer-logout"),
    route("customer/portal", views.portal, name="customer-portal"),
    route("customer/book-appointment", views.book, name="customer-book"),
    route("customer/book", views.book),
    route("customer/appointment-history", views.history, name="customer-history"),
    route("customer/appointments/<appointment_id>", views.appointment_detail, name="customer-appointment"),
    route(
        "customer/appointments/<appointment_id>/calendar.ics",
        views.appointment_calendar,
        name="customer-appointment-calendar",
    ),
    route(
        "customer/appointments/<appointment_id>/cancel",
        views.appointment_cancel_page,
        name="customer-appointment-cancel",
    ),
    route(
        "customer/appointments/<appointment_id>/reschedule",
        views.appointment_reschedule_page,
        name="customer-appointment-reschedule",
    ),
    route("customer/visits/<visit_id>", visits.visit_detail, name="customer-visit"),
    route("customer/visits/<visit_id>/cancel", visits.visit_cancel_page, name="customer-visit-cancel"),
    route("customer/visits/<visit_id>/reschedule", visits.visit_reschedule_page, name="customer-visit-reschedule"),
    route("customer/waitlist", waitlist.waitlist_page, name="customer-waitlist"),
    route("customer/waitlist/join", waitlist.join_page, name="customer-waitlist-join"),
    route("customer/waitlist/offers/<token>", waitlist.offer_page, name="customer-waitlist-offer"),
    route("customer/account", account.account, name="customer-account"),
    route("customer/account/export", views.account_export, name="customer-account-export"),
    route("customer/account/delete", views.account_delete, name="customer-account-delete"),
]
