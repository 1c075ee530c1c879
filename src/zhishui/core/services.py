"""Account services: every change to users and roles goes through here, validated and audited."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import ErrorCollector, ValidationFailure
from .identifiers import classify
from .models import User
from .roles import ADMIN_ROLES, ROLES


def _check_roles(roles: list[str], taxpayer_id: str, errors: ErrorCollector) -> None:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        errors.add("roles", f"未知角色：{', '.join(unknown)}", f"unknown roles: {', '.join(unknown)}", unknown)
    admin = [r for r in roles if r in ADMIN_ROLES]
    if len(admin) > 1 or (admin and len(roles) > 1):
        # MLPS level 3: system, security and audit administration are held by different people.
        errors.add("roles", "系统管理员、安全管理员、审计管理员三员分立，不能兼任其他角色",
                   "the three administrator roles are separate and cannot be combined with any other role", roles)
    if "taxpayer" in roles:
        if not taxpayer_id:
            errors.add("taxpayer_id", "纳税人账户必须绑定纳税人识别号", "a taxpayer account must be bound to a "
                       "taxpayer identifier", taxpayer_id)
        elif not classify(taxpayer_id).valid:
            errors.add("taxpayer_id", "纳税人识别号无效", "invalid taxpayer identifier", taxpayer_id)
        if any(ROLES[r].staff for r in roles if r in ROLES):
            errors.add("roles", "纳税人账户不能同时拥有工作人员角色", "a taxpayer account cannot hold staff roles",
                       roles)


def _password_errors(password: str, user: User | None, errors: ErrorCollector) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add("password", message, message)


@transaction.atomic
def create_user(*, by, request=None, username: str, password: str, roles: list[str], display_name: str = "",
                email: str = "", taxpayer_id: str = "") -> User:
    errors = ErrorCollector()
    username = (username or "").strip()
    if not username:
        errors.add("username", "用户名不能为空", "username is required")
    elif len(username) > 150:
        errors.add("username", "用户名不能超过150个字符", "username is longer than 150 characters", username)
    elif User.objects.filter(username=username).exists():
        errors.add("username", "用户名已存在", "username already exists", username)
    if len(display_name) > 100:
        errors.add("display_name", "姓名不能超过100个字符", "display name is longer than 100 characters")
    _check_roles(roles, taxpayer_id, errors)
    candidate = User(username=username, display_name=display_name, email=email)
    _password_errors(password, candidate, errors)
    errors.raise_if_any()
    user = User.objects.create_user(username=username, password=password, email=email,
                                    display_name=display_name, taxpayer_id=taxpayer_id.strip().upper())
    user.groups.set(Group.objects.filter(name__in=roles))
    audit.record("user.create", request=request, actor=by, obj=user,
                 detail={"username": username, "roles": sorted(roles)})
    return user


@transaction.atomic
def set_roles(*, by, request=None, user: User, roles: list[str], reason: str) -> User:
    errors = ErrorCollector()
    if not reason.strip():
        errors.add("reason", "变更角色必须说明理由", "a reason is required to change roles")
    _check_roles(roles, user.taxpayer_id, errors)
    if by.pk == user.pk:
        errors.add("roles", "不能修改自己的角色", "you cannot change your own roles")
    errors.raise_if_any()
    before = sorted(user.role_codes)
    user.groups.set(Group.objects.filter(name__in=roles))
    user._role_codes = None
    audit.record("user.set_roles", request=request, actor=by, obj=user, reason=reason,
                 detail={"before": before, "after": sorted(roles)})
    return user


@transaction.atomic
def set_active(*, by, request=None, user: User, active: bool, reason: str) -> User:
    if not reason.strip():
        raise ValidationFailure("reason", "停用或启用账户必须说明理由", "a reason is required")
    if by.pk == user.pk:
        raise ValidationFailure("is_active", "不能停用自己的账户", "you cannot disable your own account")
    User.objects.filter(pk=user.pk).update(is_active=active)
    user.is_active = active
    audit.record("user.enable" if active else "user.disable", request=request, actor=by, obj=user, reason=reason)
    return user


@transaction.atomic
def change_password(*, user: User, request=None, new_password: str, by=None) -> None:
    errors = ErrorCollector()
    _password_errors(new_password, user, errors)
    if user.check_password(new_password):
        errors.add("password", "新密码不能与旧密码相同", "the new password must differ from the old one")
    errors.raise_if_any()
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit.record("user.password_change", request=request, actor=by or user, obj=user)


def unlock(*, by, request=None, username: str, reason: str) -> int:
    from axes.handlers.proxy import AxesProxyHandler  # noqa: F401 - ensures axes is configured
    from axes.utils import reset

    if not reason.strip():
        raise ValidationFailure("reason", "解锁账户必须说明理由", "a reason is required to unlock an account")
    count = reset(username=username)
    audit.record("user.unlock", request=request, actor=by, object_type="core.User", object_id=username,
                 reason=reason, detail={"attempts_cleared": count})
    return count
