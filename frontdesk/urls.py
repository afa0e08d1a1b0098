"""The front desk's pages, mounted in the admin (ChairtimeAdminSite.get_urls) behind its login."""

from django.urls import path

from frontdesk import report_views, views


def front_desk_urls(wrap) -> list:
    """`wrap` is the admin site's admin_view: login, permission check, no caching."""
    return [
        path("calendar/", wrap(views.calendar_view), name="frontdesk-calendar"),
        path("calendar/book/", wrap(views.book_view), name="frontdesk-book"),
        path("calendar/walk-in/", wrap(views.walk_in_view), name="frontdesk-walk-in"),
        path("calendar/time-off/", wrap(views.time_off_view), name="frontdesk-time-off"),
        path("calendar/waitlist/offer/", wrap(views.waitlist_offer_view), name="frontdesk-waitlist-offer"),
        path("calendar/clients/", wrap(views.client_search), name="frontdesk-client-search"),
        path("calendar/appointments/<appointment_id>/", wrap(views.appointment_view), name="frontdesk-appointment"),
        path("calendar/appointments/<appointment_id>/move/", wrap(views.reschedule_view), name="frontdesk-reschedule"),
        path("reports/", wrap(report_views.reports_view), name="frontdesk-reports"),
        path("reports/csv/", wrap(report_views.reports_csv), name="frontdesk-reports-csv"),
    ]
