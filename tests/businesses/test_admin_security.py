"""The admin against the audit's findings: password guessing, uploaded SVG, loyalty points."""

import io

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from customers.models import CustomerBusinessRelationship

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)"><script>alert(1)</script></svg>'


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#7c3aed").save(buffer, format="PNG")
    return buffer.getvalue()


def admin_login(client, email: str, password: str):
    return client.post("/admin/login/", {"username": email, "password": password})


def test_thirty_wrong_passwords_lock_the_account_out(client, alice, superuser):
    alice.set_password("the-right-password-123")
    alice.save()
    statuses = [admin_login(client, alice.email, f"wrong-{n}").status_code for n in range(30)]
    assert statuses[:9] == [200] * 9  # the form again, with its error
    assert set(statuses[10:]) == {429}
    locked = admin_login(client, alice.email, "the-right-password-123")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert client.get("/admin/").status_code == 302  # not signed in

    # A superuser unlocks early by deleting the attempts (admin > Axes > Access attempts).
    AccessAttempt.objects.all().delete()
    assert admin_login(client, alice.email, "the-right-password-123").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_rotating_forwarded_addresses_does_not_dodge_the_lockout(client, alice):
    alice.set_password("the-right-password-123")
    alice.save()
    for n in range(12):
        client.post(
            "/admin/login/",
            {"username": alice.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    assert admin_login(client, alice.email, "the-right-password-123").status_code == 429


def business_form(salon, **changes):
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(salon).items() if v is not None and k != "logo"}
    data["embed_allowed_origins"] = ",".join(salon.embed_allowed_origins)
    for prefix in ("opening_hours", "closures", "memberships"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("name", "content"), [("logo.svg", SVG), ("logo.png", SVG), ("logo.png", b"<html><script>alert(1)</script>")]
)
def test_a_logo_must_be_a_raster_image_whatever_its_name(client, alice, salon, name, content):
    client.force_login(alice)
    response = client.post(
        f"/admin/businesses/business/{salon.pk}/change/",
        business_form(salon, logo=SimpleUploadedFile(name, content, content_type="image/svg+xml")),
    )
    assert response.status_code == 200  # the form again
    assert (
        "Upload a PNG, JPEG or WebP image." in response.content.decode() or "not allowed" in response.content.decode()
    )
    salon.refresh_from_db()
    assert not salon.logo


def test_uploads_are_served_inert(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "logos").mkdir()
    (tmp_path / "logos" / "old.svg").write_bytes(SVG)  # e.g. uploaded before raster-only logos
    (tmp_path / "logos" / "ok.png").write_bytes(png_bytes())
    svg = client.get("/media/logos/old.svg")
    assert svg.status_code == 200
    assert svg["Content-Disposition"] == "attachment"
    assert svg["Content-Type"] == "application/octet-stream"
    assert svg["X-Content-Type-Options"] == "nosniff"
    assert svg["Content-Security-Policy"].startswith("sandbox")
    png = client.get("/media/logos/ok.png")
    assert png["Content-Type"] == "image/png" and "attachment" not in png.get("Content-Disposition", "")
    assert png["Content-Security-Policy"].startswith("sandbox")


def test_a_png_logo_is_accepted(client, alice, salon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(alice)
    response = client.post(
        f"/admin/businesses/business/{salon.pk}/change/",
        business_form(salon, logo=SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    salon.refresh_from_db()
    assert salon.logo.name.startswith("logos/")


@pytest.fixture
def relationship(salon, dana):
    return CustomerBusinessRelationship.objects.create(customer=dana, business=salon, loyalty_points=10)


def relationship_form(relationship, points: int) -> dict:
    return {"loyalty_points": str(points), "notes": "Likes tea", "phone": "", "first_name": "", "last_name": ""}


def test_staff_role_cannot_change_loyalty_points(client, bob, relationship):
    client.force_login(bob)
    url = f"/admin/customers/customerbusinessrelationship/{relationship.pk}/change/"
    assert 'name="loyalty_points"' not in client.get(url).content.decode()
    client.post(url, relationship_form(relationship, 999))
    relationship.refresh_from_db()
    assert (relationship.loyalty_points, relationship.notes) == (10, "Likes tea")


def test_owners_change_loyalty_points(client, alice, relationship):
    client.force_login(alice)
    url = f"/admin/customers/customerbusinessrelationship/{relationship.pk}/change/"
    assert client.post(url, relationship_form(relationship, 999)).status_code == 302
    relationship.refresh_from_db()
    assert relationship.loyalty_points == 999


def test_a_salon_with_a_stored_logo_still_saves_its_settings(client, alice, salon, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    salon.logo.name = "logos/uploaded-before.svg"  # stored earlier (the file may even be gone)
    salon.save()
    client.force_login(alice)
    response = client.post(f"/admin/businesses/business/{salon.pk}/change/", business_form(salon, name="Renamed"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    salon.refresh_from_db()
    assert salon.name == "Renamed"


def test_time_off_far_outside_the_calendar_is_a_form_error(client, alice, salon, staff):
    from businesses.models import TimeOff

    client.force_login(alice)
    response = client.post(
        "/admin/businesses/timeoff/add/",
        {
            "business": salon.pk,
            "staff": staff[0].pk,
            "start_0": "9999-12-30",
            "start_1": "09:00",
            "end_0": "9999-12-31",
            "end_1": "09:00",
            "reason": "forever",
        },
    )
    assert response.status_code == 200 and "within 10 years" in response.content.decode()
    assert not TimeOff.objects.exists()


def membership_rows(salon, own_column: set) -> dict:
    """The Business form's membership rows as an owner posts them (the user is read-only; the
    roles as they are)."""
    memberships = list(salon.memberships.order_by("pk"))
    rows = {"memberships-TOTAL_FORMS": str(len(memberships)), "memberships-INITIAL_FORMS": str(len(memberships))}
    for n, membership in enumerate(memberships):
        rows[f"memberships-{n}-id"] = str(membership.pk)
        rows[f"memberships-{n}-business"] = str(salon.pk)
        rows[f"memberships-{n}-role"] = membership.role
        if membership.user in own_column:
            rows[f"memberships-{n}-own_column_only"] = "on"
    return rows


def test_an_owner_limits_a_stylist_to_their_own_column(client, alice, bob, salon):
    client.force_login(alice)
    url = f"/admin/businesses/business/{salon.pk}/change/"
    response = client.post(url, {**business_form(salon), **membership_rows(salon, {bob})})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert salon.memberships.get(user=bob).own_column_only
    assert salon.memberships.get(user=alice).role == "owner"


def test_a_stylist_cannot_lift_their_own_column_limit(client, alice, bob, salon):
    salon.memberships.filter(user=bob).update(own_column_only=True)
    client.force_login(bob)
    client.post(
        f"/admin/businesses/business/{salon.pk}/change/", {**business_form(salon), **membership_rows(salon, set())}
    )
    assert salon.memberships.get(user=bob).own_column_only
