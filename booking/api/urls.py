from booking.api import holds, sms, visits, waitlist
from booking.api import views as api
from config.routing import route

urlpatterns = [
    route("api/business/<business_id>/availability", api.BusinessAvailabilityView.as_view()),
    route("api/customer/availability/<business_id>", api.BusinessAvailabilityView.as_view()),
    route("api/booking/availability", api.BookingAvailabilityView.as_view()),
    route("api/business/<business_id>/holds", holds.HoldCreateView.as_view()),
    route("api/holds/<hold_token>", holds.HoldDetailView.as_view()),
    route("api/appointments/create", api.CreateView.as_view(), name="api-appointment-create"),
    route("api/booking/create", api.CreateView.as_view()),
    route("api/customer/book-appointment", api.CustomerBookView.as_view()),
    route("api/customer/appointments", api.CustomerAppointmentsView.as_view()),
    route("api/appointments/<appointment_id>", api.AppointmentDetailView.as_view(), name="api-appointment"),
    route("api/appointments/<appointment_id>/cancel", api.CancelView.as_view()),
    route("api/appointments/<appointment_id>/reschedule", api.RescheduleView.as_view()),
    route("api/appointments/<appointment_id>/complete", api.CompleteView.as_view()),
    route("api/appointments/<appointment_id>/no-show", api.NoShowView.as_view()),
    route("api/customer/waitlist", waitlist.CustomerWaitlistView.as_view()),
    route("api/customer/waitlist/<entry_id>", waitlist.CustomerWaitlistEntryView.as_view()),
    route("sms/twilio/inbound", sms.twilio_inbound, name="sms-inbound"),
    route("api/visits/<visit_id>", visits.VisitDetailView.as_view(), name="api-visit"),
    route("api/visits/<visit_id>/cancel", visits.VisitCancelView.as_view()),
    route("api/visits/<visit_id>/reschedule", visits.VisitRescheduleView.as_view()),
]
