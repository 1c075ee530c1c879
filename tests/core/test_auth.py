import time

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, current_code, login, make_user
from zhishui.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "登录" in text and 'lang="zh-CN"' in text


def test_successful_login_is_audited(client):
    user = make_user("alice", "taxpayer", taxpayer_id="914403001922038216")
    login(client, user)
    assert AuditEvent.objects.filter(action="auth.login", actor="alice", outcome="success").count() == 1
    assert client.get("/").status_code == 200


def test_failed_logins_are_audited_and_lock_the_account(client, settings):
    make_user("bob", "taxpayer", taxpayer_id="914403001922038216")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
        assert response.status_code == 200
    response = client.post("/accounts/login/", {"username": "bob", "password": "wrong"})
    assert response.status_code == 429
    # Even the right password is refused while locked.
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", actor="bob").count() >= settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(action="auth.locked_out", actor="bob", outcome="denied").exists()


def test_security_admin_unlocks_with_a_reason(client, settings):
    make_user("carol", "taxpayer", taxpayer_id="914403001922038216")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "carol", "password": "wrong"})
    sec = make_user("sec", "secadmin")
    admin_client = type(client)()
    login(admin_client, sec)
    target = sec.__class__.objects.get(username="carol")
    response = admin_client.post(f"/admin/users/{target.pk}/unlock/", {"reason": ""})
    assert client.post("/accounts/login/", {"username": "carol", "password": PASSWORD}).status_code == 429
    admin_client.post(f"/admin/users/{target.pk}/unlock/", {"reason": "本人来电核实"})
    response = client.post("/accounts/login/", {"username": "carol", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.unlock", object_id="carol", reason="本人来电核实").exists()


def test_staff_must_pass_totp_before_any_page(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp delays retries after a failure; not under test here
    staff = make_user("dave", "collection")
    response = client.post("/accounts/login/", {"username": "dave", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")
    response = client.post("/accounts/otp/", {"token": "000000", "next": "/"})
    assert response.status_code == 200 and AuditEvent.objects.filter(action="auth.otp_failed").exists()
    response = client.post("/accounts/otp/", {"token": current_code(staff), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_staff_without_device_enrols_one(client):
    from django.contrib.auth.models import Group
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from zhishui.core.models import User

    user = User.objects.create_user("erin", password=PASSWORD)
    user.groups.set(Group.objects.filter(name="risk"))
    client.post("/accounts/login/", {"username": "erin", "password": PASSWORD})
    page = client.get("/accounts/otp/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/accounts/otp/", {"token": code}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_idle_timeout_is_the_session_cookie_age(client, settings):
    user = make_user("frank", "taxpayer", taxpayer_id="914403001922038216")
    login(client, user)
    response = client.get("/")
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60
    assert response.status_code == 200


def test_absolute_session_lifetime_ends_the_session(client, settings):
    user = make_user("gina", "taxpayer", taxpayer_id="914403001922038216")
    login(client, user)
    session = client.session
    session["login_at"] = time.time() - settings.ZHISHUI_SESSION_ABSOLUTE_MINUTES * 60 - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302  # the session is gone server-side
    assert AuditEvent.objects.filter(action="auth.session_expired", actor="gina").exists()


def test_logout_ends_the_session_server_side(client):
    from django.contrib.sessions.models import Session

    user = make_user("hank", "taxpayer", taxpayer_id="914403001922038216")
    login(client, user)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor="hank").exists()


def test_staff_password_rotation_forces_a_change(client):
    user = make_user("ivan", "service")
    user.password_changed_at = timezone.now() - timezone.timedelta(days=91)
    user.save()
    login(client, user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "abc",
                                                  "new_password2": "abc"})
    assert response.status_code == 200
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Neue-Passw0rt-2026",
                                                  "new_password2": "Neue-Passw0rt-2026"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(("password", "ok"), [("alllowercase1", False), ("Abcdefghij1", True),
                                              ("ABCDEFGHIJ!", False), ("abcdefgh!1Z", True)])
def test_password_complexity(password, ok):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


def test_staff_sees_no_workbench_before_the_second_factor(client):
    make_user("nav1", "collection")
    client.post("/accounts/login/", {"username": "nav1", "password": PASSWORD})
    page = client.get("/accounts/otp/").content.decode()
    assert 'class="sidenav"' not in page and 'role="search"' not in page
