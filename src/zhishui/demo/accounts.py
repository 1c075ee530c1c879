"""Demo accounts: one per role, printed with their passwords. Demo only — never in production."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhishui.core import audit
from zhishui.core.models import User
from zhishui.core.roles import ROLES

DEMO_PASSWORD = "Demo-2026-zhishui"  # noqa: S105 - printed to the operator; demo installations only


def _totp_key(username: str) -> str:
    # A per-account key derived from the name: stable across demo runs, different per account.
    return hashlib.sha256(f"zhishui-demo-totp:{username}".encode()).hexdigest()[:40]


@transaction.atomic
def ensure_demo_accounts(taxpayer_id: str = "", taxpayer_name: str = "") -> list[dict]:
    """Create (or leave as they are) one demo account per role; return them for printing."""
    accounts = []
    for code, role in ROLES.items():
        username = f"demo_{code}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD,
                                            display_name=f"演示{role.name_zh}",
                                            taxpayer_id=taxpayer_id if code == "taxpayer" else "")
            user.groups.set(Group.objects.filter(name=code))
            audit.record("user.create", actor=user, obj=user, username="zhishui demo",
                         detail={"username": username, "roles": [code], "demo": True})
        elif code == "taxpayer" and taxpayer_id and user.taxpayer_id != taxpayer_id:
            User.objects.filter(pk=user.pk).update(taxpayer_id=taxpayer_id)
        if role.staff and not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="demo", key=_totp_key(username), confirmed=True)
        accounts.append({"username": username, "password": DEMO_PASSWORD, "role": role.name_zh,
                         "role_en": role.name_en, "staff": role.staff,
                         "note": taxpayer_name if code == "taxpayer" else ""})
    return accounts
