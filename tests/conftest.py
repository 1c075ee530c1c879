"""Shared fixtures. The database comes from ZHISHUI_TEST_DATABASE_URL (PostgreSQL) or SQLite."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhishui.core.models import User

PASSWORD = "Test-Passw0rd!"


@pytest.fixture(autouse=True)
def _fast_hashers(settings):
    # The suite creates many users; a fast hasher keeps it quick. Product settings are untouched.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, *roles: str, taxpayer_id: str = "", totp_key: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, taxpayer_id=taxpayer_id,
                                    display_name=username)
    user.groups.set(Group.objects.filter(name__in=roles))
    if totp_key or any(r not in ("taxpayer", "person") for r in roles):
        TOTPDevice.objects.create(user=user, name="test", key=totp_key or "3132333435363738393031323334353637383930",
                                  confirmed=True)
    return user


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client, user: User) -> None:
    """Sign in through the real login form and, for staff, the TOTP step."""
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if user.is_staff_role:
        response = client.post("/accounts/otp/", {"token": current_code(user), "next": "/"})
        assert response.status_code == 302, response.content[:500]


@pytest.fixture
def user_factory(db):
    return make_user


def on_postgres() -> bool:
    return bool(os.environ.get("ZHISHUI_TEST_DATABASE_URL", "").startswith("postgres"))
