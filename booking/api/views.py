"""Booking API (DESIGN §5): availability, appointments and the customer's own bookings.

Views parse, call a selector or service, and serialize; the rules live in
booking/services.py and booking/selectors.py.
"""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from booking import selectors
from booking.api.idempotency import idempotent
from booking.api.serializers import (
    AppointmentListQuery,
    AppointmentOutput,
    AvailabilityOutput,
    AvailabilityQuery,
    BookingAvailabilityQuery,
    CancelInput,
    CreateInput,
    RescheduleInput,
    VisitAvailabilityOutput,
    VisitOutput,
    availability_body,
    availability_json,
    slot_renderer,
    visit_availability_body,
)
from booking.models import Appointment
from booking.services import (
    Actor,
    CustomerDetails,
    actor_for,
    appointment_book_for_user,
    appointment_cancel,
    appointment_complete,
    appointment_mark_no_show,
    appointment_reschedule,
)
from booking.visits import visit_available_slots, visit_book
from businesses.api import business_or_404
from businesses.models import Business, Service, StaffMember
from businesses.selectors import active_service_with_business, business_by_id, sees_column
from config.api_fields import parse_uuid
from config.api_schema import errors
from config.request_log import note_business
from customers.credentials import is_customer_only
from customers.services import customer_for_user

# --- availability -------------------------------------------------------------------------
# Query parameters are validated as a plain dict: DRF reads a QueryDict like an HTML form,
# where an empty value means "not given"; here `?status=` is bad input, a 400.


def unknown(model, field: str) -> ValidationError:
    if model is Service:
        message = _("Unknown service for this business.")
    elif model is StaffMember:
        message = _("Unknown staff member for this business.")
    else:  # a whole sentence per model for translators; the model's own name otherwise
        message = _("Unknown %(model)s for this business.") % {"model": model._meta.verbose_name}
    return ValidationError({field: [message]})


def owned(model, business: Business, pk, field: str, *, active=True):
    """`model` row `pk` of `business` (active), or a 400 naming `field`: unknown or foreign."""
    found = model.objects.filter(business=business, pk=pk, **({"is_active": True} if active else {})).first()
    if found is None:
        raise unknown(model, field)
    return found


def service_with_business(business_id, service_id, field: str, *, unknown_business: Exception) -> Service:
    """The active service with its business, in one query; else `unknown_business` or a 400
    naming `field`."""
    service = active_service_with_business(business_id, service_id)
    if service is None:
        raise unknown_business if business_by_id(business_id) is None else unknown(Service, field)
    return service


def availability_response(business_id, query: dict, *, unknown_business: Exception) -> HttpResponse:
    """The answer for business `business_id`; the first service is loaded with its business
    (a warm answer costs that query and, with a staff filter, the stylist's)."""
    ids = query.get("services") or [query["service"]]
    field = "services" if "services" in query else "service"
    first = service_with_business(business_id, ids[0], field, unknown_business=unknown_business)
    business = first.business
    services = [first, *(owned(Service, business, pk, field) for pk in ids[1:])]
    staff = owned(StaffMember, business, query["staff"], "staff") if query.get("staff") else None
    first_day = query.get("date") or timezone.localdate(timezone=business.zone)
    window = selectors.customer_window(business, now=timezone.now())
    # The asker's own hold (`hold_token`) shows as free to them: never from the rendered cache.
    holds = (
        selectors.holds_now(own=selectors.hold_token_hash(query["hold_token"])) if query.get("hold_token") else None
    )
    if len(services) > 1:  # a visit: each slot lists its items
        items = [(service, staff) for service in services]  # `staff`: one person does every item
        visit_slots = visit_available_slots(
            business, items, first_day=first_day, days=query["days"], window=window, holds=holds
        )
        return Response(visit_availability_body(business, services, visit_slots))
    question = {"first_day": first_day, "days": query["days"], "staff": staff, "window": window}
    if holds is not None:
        slots = selectors.available_slots(business, first, **question, holds=holds)
        return Response(availability_body(business, first, slots))
    rendered = selectors.available_fragments(
        business,
        first,
        **question,
        version=business.availability_version,  # loaded with the business by this request
        render=slot_renderer(business),
    )
    if rendered is not None:
        return HttpResponse(availability_json(business, first, rendered), content_type="application/json")
    slots = selectors.available_slots(business, first, **question, version=business.availability_version)
    return Response(availability_body(business, first, slots))


# One service: slots with their staff; a visit (`services`): slots with their items.
AVAILABILITY_OUTPUT = PolymorphicProxySerializer(
    component_name="Availability",
    serializers=[AvailabilityOutput, VisitAvailabilityOutput],
    resource_type_field_name=None,
)
AVAILABILITY_PARAMETERS = [
    OpenApiParameter("service", str, description="Service id (UUID); or `services` for a visit."),
    OpenApiParameter(
        "services",
        str,
        description="A visit: 1-5 service ids, comma-separated, in order (not with `service`); "
        "`staff` then means that one person does every item.",
    ),
    OpenApiParameter("date", str, description="First business-local date, YYYY-MM-DD (default: today there)."),
    OpenApiParameter("days", int, description="How many days, 1-62 (default 1)."),
    OpenApiParameter("staff", str, description="Only this staff member (UUID); default: any."),
    OpenApiParameter("hold_token", str, description="The asker's slot hold: its time shows as free to them."),
]
AVAILABILITY_EXAMPLE = OpenApiExample(
    "Two free slots",
    value={
        "business_id": "8e6c323b-df6b-4594-9098-63dd5dcf3879",
        "service_id": "71862f72-9a98-474e-9fa7-012f4cea355b",
        "timezone": "Europe/London",
        "slots": [
            {
                "start": "2027-03-29T09:00:00+01:00",
                "end": "2027-03-29T09:45:00+01:00",
                "staff_ids": ["a50702b3-7fcb-4124-8d2a-ef16a0d3f337"],
            },
            {
                "start": "2027-03-29T09:15:00+01:00",
                "end": "2027-03-29T10:00:00+01:00",
                "staff_ids": ["a50702b3-7fcb-4124-8d2a-ef16a0d3f337", "aa3aeaed-9a3e-40f5-88fa-e20b36e9b27d"],
            },
        ],
    },
    response_only=True,
)


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


@extend_schema(
    summary="Free slots of a service, in the business's local time",
    description="A past date gives no slots. Customers' rules apply: minimum notice and the booking horizon.",
    parameters=AVAILABILITY_PARAMETERS,
    responses={200: AVAILABILITY_OUTPUT, **errors(400, 404)},
    examples=[AVAILABILITY_EXAMPLE],
    tags=["availability"],
)
class BusinessAvailabilityView(PublicView):
    def get(self, request, business_id):
        query = AvailabilityQuery(data=request.query_params.dict())
        if not query.is_valid():
            business_or_404(business_id)  # an unknown salon is a 404 before any bad parameter
            raise ValidationError(query.errors)
        return availability_response(business_id, query.validated_data, unknown_business=Http404())


@extend_schema(
    summary="Free slots (business given as a query parameter)",
    parameters=[
        OpenApiParameter("business", str, required=True, description="Business id."),
        *AVAILABILITY_PARAMETERS,
    ],
    responses={200: AVAILABILITY_OUTPUT, **errors(400)},
    examples=[AVAILABILITY_EXAMPLE],
    tags=["availability"],
)
class BookingAvailabilityView(PublicView):
    def get(self, request):
        query = BookingAvailabilityQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        return availability_response(
            query.validated_data["business"],
            query.validated_data,
            unknown_business=ValidationError({"business": [_("Unknown business.")]}),
        )


# --- appointments ---------------------------------------------------------------------------


def book(request, data: dict, *, as_customer_only: bool) -> Response:
    unknown_business = ValidationError({"business_id": [_("Unknown business.")]})
    if "items" in data:
        business = business_by_id(data["business_id"])
        if business is None:
            raise unknown_business
        return book_visit(request, business, data, as_customer_only=as_customer_only)
    service = service_with_business(
        data["business_id"], data["service_id"], "service_id", unknown_business=unknown_business
    )
    business = service.business
    staff = owned(StaffMember, business, data["staff_id"], "staff_id") if data.get("staff_id") else None
    appointment = appointment_book_for_user(
        user=request.user,
        business=business,
        customer_details=CustomerDetails(**data["customer"]) if data.get("customer") else None,
        as_customer=as_customer_only or is_customer_only(request),
        service=service,
        staff=staff,
        start=data["start"],
        source=data["source"],
        notes=data["notes"],
        hold_token=data["hold_token"],
    )
    return Response(AppointmentOutput(appointment).data, status=status.HTTP_201_CREATED)


def visit_items(business: Business, items: list[dict]) -> list[tuple[Service, StaffMember | None]]:
    """A visit's `items` input as (service, staff or None): unknown ids are a 400 naming them."""
    return [
        (
            owned(Service, business, item["service_id"], f"items.{index}.service_id"),
            owned(StaffMember, business, item["staff_id"], f"items.{index}.staff_id")
            if item.get("staff_id")
            else None,
        )
        for index, item in enumerate(items)
    ]


def book_visit(request, business: Business, data: dict, *, as_customer_only: bool) -> Response:
    items = visit_items(business, data["items"])
    visit = appointment_book_for_user(
        user=request.user,
        business=business,
        customer_details=CustomerDetails(**data["customer"]) if data.get("customer") else None,
        as_customer=as_customer_only or is_customer_only(request),
        book=visit_book,
        items=items,
        start=data["start"],
        source=data["source"],
        notes=data["notes"],
        hold_token=data["hold_token"],
    )
    return Response(VisitOutput(visit).data, status=status.HTTP_201_CREATED)


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255},
    location=OpenApiParameter.HEADER,
    description="Optional. Resending the same key and body within 24 h replays the first answer "
    "(with `Idempotent-Replayed: true`); the same key with another body is a 422.",
)
CREATE_EXAMPLE = OpenApiExample(
    "Staff book for a customer",
    value={
        "business_id": "8e6c323b-df6b-4594-9098-63dd5dcf3879",
        "service_id": "71862f72-9a98-474e-9fa7-012f4cea355b",
        "staff_id": None,
        "start": "2027-03-29T09:00:00+01:00",
        "notes": "First visit",
        "source": "api",
        "customer": {"email": "dana@example.com", "phone": "+447911123456", "first_name": "Dana", "last_name": "Doe"},
    },
    request_only=True,
)


@extend_schema(
    summary="Book an appointment (customers for themselves; staff for a customer)",
    parameters=[IDEMPOTENCY_HEADER],
    request=CreateInput,
    responses={
        201: PolymorphicProxySerializer(
            component_name="Booking", serializers=[AppointmentOutput, VisitOutput], resource_type_field_name=None
        ),
        **errors(400, 401, 403, 409, 415, 422, 429, 503),
    },
    examples=[CREATE_EXAMPLE],
    tags=["appointments"],
)
class CreateView(APIView):
    permission_classes = [IsAuthenticated]
    as_customer_only = False  # staff of the business book for a customer here

    def post(self, request):
        def create():
            data = CreateInput(data=request.data)
            data.is_valid(raise_exception=True)
            return book(request, data.validated_data, as_customer_only=self.as_customer_only)

        return idempotent(request, create)


@extend_schema(
    summary="Book as the signed-in customer",
    parameters=[IDEMPOTENCY_HEADER],
    request=CreateInput,
    responses={201: AppointmentOutput, **errors(400, 401, 403, 409, 415, 422, 429, 503)},
    tags=["customer"],
)
class CustomerBookView(CreateView):
    as_customer_only = True


def request_actor(request, business: Business) -> Actor:
    """Who the caller is for `business`: a member (staff rules) or a customer. A customer's
    code-issued credential stays customer-only, whatever the user became since."""
    if is_customer_only(request):
        return Actor(user=request.user, label=request.user.email)
    return actor_for(request.user, business)


def appointment_for(request, appointment_id) -> tuple[Appointment, Actor]:
    """The appointment if the caller is its customer or a member of its business; else 404."""
    pk = parse_uuid(appointment_id)
    appointment = Appointment.objects.select_related("business", "customer").filter(pk=pk).first() if pk else None
    if appointment is None:
        raise Http404
    actor = request_actor(request, appointment.business)
    own = appointment.customer.user_id == request.user.pk
    if not own and not (actor.is_member and sees_column(request.user, appointment.business, appointment.staff_id)):
        raise Http404
    note_business(appointment.business_id)
    return appointment, actor


class AppointmentView(APIView):
    permission_classes = [IsAuthenticated]


@extend_schema(
    summary="One appointment", responses={200: AppointmentOutput, **errors(401, 404)}, tags=["appointments"]
)
class AppointmentDetailView(AppointmentView):
    def get(self, request, appointment_id):
        appointment, _actor = appointment_for(request, appointment_id)
        return Response(AppointmentOutput(appointment).data)


@extend_schema(
    summary="Cancel (customers only outside the cancellation window)",
    request=CancelInput,
    responses={200: AppointmentOutput, **errors(400, 401, 404, 409, 415)},
    tags=["appointments"],
)
class CancelView(AppointmentView):
    def put(self, request, appointment_id):
        appointment, actor = appointment_for(request, appointment_id)
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        cancelled = appointment_cancel(appointment=appointment, by=actor, reason=data.validated_data["reason"])
        return Response(AppointmentOutput(cancelled).data)


@extend_schema(
    summary="Move to another time (and optionally staff member); same id",
    request=RescheduleInput,
    responses={200: AppointmentOutput, **errors(400, 401, 404, 409, 415, 503)},
    tags=["appointments"],
)
class RescheduleView(AppointmentView):
    def put(self, request, appointment_id):
        appointment, actor = appointment_for(request, appointment_id)
        data = RescheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        staff_id = data.validated_data["staff_id"]
        staff = owned(StaffMember, appointment.business, staff_id, "staff_id") if staff_id else None
        moved = appointment_reschedule(
            appointment=appointment, start=data.validated_data["start"], staff=staff, by=actor
        )
        return Response(AppointmentOutput(moved).data)


@extend_schema(
    summary="Mark completed (staff of the business)",
    request=None,
    responses={200: AppointmentOutput, **errors(401, 403, 404, 409)},
    tags=["appointments"],
)
class CompleteView(AppointmentView):
    def put(self, request, appointment_id):
        appointment, actor = appointment_for(request, appointment_id)
        return Response(AppointmentOutput(appointment_complete(appointment=appointment, by=actor)).data)


@extend_schema(
    summary="Mark as no-show (staff of the business)",
    request=None,
    responses={200: AppointmentOutput, **errors(401, 403, 404, 409)},
    tags=["appointments"],
)
class NoShowView(AppointmentView):
    def put(self, request, appointment_id):
        appointment, actor = appointment_for(request, appointment_id)
        return Response(AppointmentOutput(appointment_mark_no_show(appointment=appointment, by=actor)).data)


# --- the customer's own appointments ---------------------------------------------------------


class AppointmentPage(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # A page that does not exist is bad input in a query parameter: 400, not DRF's 404.
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError({"page": [_("No such page.")]}) from None


@extend_schema(
    summary="The signed-in customer's appointments, across salons",
    parameters=[
        OpenApiParameter(
            "status",
            str,
            enum=["upcoming", "past", "cancelled"],
            description="upcoming: confirmed and not yet ended; past: ended (incl. completed, no-show).",
        ),
        OpenApiParameter("business", str, description="Only this business."),
        OpenApiParameter("page", {"type": "integer", "minimum": 1}),
        OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 200}),
    ],
    responses={200: AppointmentOutput(many=True), **errors(400, 401)},
    tags=["customer"],
)
class CustomerAppointmentsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = AppointmentPage

    def get(self, request):
        query = AppointmentListQuery(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        appointments = selectors.customer_appointments(
            customer_for_user(request.user),
            status=query.validated_data.get("status"),
            business_id=query.validated_data.get("business"),
            now=timezone.now(),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(appointments, request, view=self)
        return paginator.get_paginated_response(AppointmentOutput(page, many=True).data)
