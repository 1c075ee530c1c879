"""The permission matrix: which role reaches which workbench, and the three-administrator split."""

import pytest

from tests.conftest import PASSWORD, login, make_user
from zhishui.core import services
from zhishui.core.errors import ValidationFailure
from zhishui.core.models import AuditEvent, User
from zhishui.core.roles import ROLES

pytestmark = pytest.mark.django_db

TAXPAYER = "914403001922038216"

# page → roles allowed; every other role is refused (403 and an audit event).
MATRIX = {
    "/admin/users/": {"sysadmin", "secadmin"},
    "/admin/users/new/": {"sysadmin"},
    "/audit/": {"auditor", "audit"},
}


def _user_for(role):
    return make_user(f"u_{role}", role, taxpayer_id=TAXPAYER if role == "taxpayer" else "")


@pytest.mark.parametrize("role", list(ROLES))
def test_permission_matrix(client, role):
    user = _user_for(role)
    login(client, user)
    for path, allowed in MATRIX.items():
        before = AuditEvent.objects.filter(action="access.denied", actor=user.username).count()
        status = client.get(path).status_code
        if role in allowed:
            assert status == 200, (role, path)
        else:
            assert status == 403, (role, path)
            after = AuditEvent.objects.filter(action="access.denied", actor=user.username).count()
            assert after == before + 1
    assert client.get("/").status_code == 200


def test_every_role_exists_as_a_group_with_its_capabilities():
    from django.contrib.auth.models import Group

    for code, role in ROLES.items():
        group = Group.objects.get(name=code)
        assert sorted(p.codename for p in group.permissions.all()) == sorted(role.capabilities)


def test_sysadmin_cannot_read_audit_and_auditor_cannot_change_users(client):
    sysadmin = make_user("sys", "sysadmin")
    auditor = make_user("aud", "auditor")
    login(client, sysadmin)
    assert client.get("/audit/").status_code == 403
    assert client.post("/api/v1/audit/verify").status_code == 403
    client.post("/accounts/logout/")
    login(client, auditor)
    response = client.post("/admin/users/new/", {"username": "x1", "password": "Abcdefgh-123", "roles": ["service"]})
    assert response.status_code == 403
    assert not User.objects.filter(username="x1").exists()
    assert client.get("/audit/").status_code == 200


def test_admin_roles_cannot_be_combined():
    sec = make_user("sec1", "secadmin")
    target = make_user("t1", "service")
    with pytest.raises(ValidationFailure) as exc:
        services.set_roles(by=sec, user=target, roles=["sysadmin", "auditor"], reason="测试")
    assert "三员分立" in exc.value.errors[0].message_zh
    with pytest.raises(ValidationFailure):
        services.set_roles(by=sec, user=target, roles=["auditor", "risk"], reason="测试")
    services.set_roles(by=sec, user=target, roles=["auditor"], reason="岗位调整")
    target = User.objects.get(pk=target.pk)
    assert target.role_codes == ["auditor"]
    event = AuditEvent.objects.get(action="user.set_roles", object_id=str(target.pk))
    assert event.detail == {"before": ["service"], "after": ["auditor"]} and event.reason == "岗位调整"


def test_sysadmin_creates_user_through_the_form(client):
    login(client, make_user("sys2", "sysadmin"))
    response = client.post("/admin/users/new/", {"username": "newbie", "display_name": "新人",
                                                 "password": "short", "roles": ["service"]})
    assert response.status_code == 400
    assert not User.objects.filter(username="newbie").exists()
    response = client.post("/admin/users/new/", {"username": "newbie", "display_name": "新人",
                                                 "password": "Strong-Passw0rd", "roles": ["service"]})
    assert response.status_code == 302
    assert User.objects.get(username="newbie").role_codes == ["service"]
    assert AuditEvent.objects.filter(action="user.create", object_id=str(User.objects.get(username="newbie").pk))


def test_taxpayer_account_must_be_bound_to_a_valid_identifier():
    sys = make_user("sys3", "sysadmin")
    with pytest.raises(ValidationFailure) as exc:
        services.create_user(by=sys, username="tp", password="Strong-Passw0rd", roles=["taxpayer"],
                             taxpayer_id="9144030071526726X7")
    assert exc.value.errors[0].field == "taxpayer_id"
    user = services.create_user(by=sys, username="tp", password="Strong-Passw0rd", roles=["taxpayer"],
                                taxpayer_id=TAXPAYER)
    assert user.taxpayer_id == TAXPAYER


def test_disable_requires_reason_and_blocks_login(client):
    sys = make_user("sys4", "sysadmin")
    target = make_user("gone", "taxpayer", taxpayer_id=TAXPAYER)
    with pytest.raises(ValidationFailure):
        services.set_active(by=sys, user=target, active=False, reason=" ")
    services.set_active(by=sys, user=target, active=False, reason="离职")
    response = client.post("/accounts/login/", {"username": "gone", "password": PASSWORD})
    assert response.status_code == 200  # the form shows the error again
