"""The three separated administrator workbenches: users (系统管理员), roles and locks (安全管理员),
the audit trail (审计管理员)."""

from __future__ import annotations

from axes.models import AccessAttempt
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit, services
from .decorators import capability_required
from .errors import ValidationFailure
from .models import AuditEvent, User
from .roles import ROLES, label_for


def _role_choices(request):
    return [(code, label_for(code, request.LANGUAGE_CODE)) for code in ROLES]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    display_name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    password = forms.CharField(label=gettext_lazy("Initial password"), widget=forms.PasswordInput)
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)
    taxpayer_id = forms.CharField(label=gettext_lazy("Bound taxpayer identifier"), max_length=20, required=False)


def _apply_errors(request, form, exc: ValidationFailure) -> None:
    zh = request.LANGUAGE_CODE.startswith("zh")
    for err in exc.errors:
        field = err.field if err.field in form.fields else None
        form.add_error(field, err.message_zh if zh else err.message_en)


@capability_required("manage_users", "manage_roles")
def user_list(request):
    users = User.objects.prefetch_related("groups").order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(display_name__icontains=q)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    locked = set(AccessAttempt.objects.values_list("username", flat=True))
    form = UserCreateForm()
    form.fields["roles"].choices = _role_choices(request)
    return render(request, "core/users.html", {"page": page, "q": q, "locked": locked, "form": form,
                                               "role_choices": _role_choices(request)})


@capability_required("manage_users")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    form.fields["roles"].choices = _role_choices(request)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.create_user(by=request.user, request=request, **form.cleaned_data)
        except ValidationFailure as exc:
            _apply_errors(request, form, exc)
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("users")
    return render(request, "core/user_form.html", {"form": form}, status=400 if request.method == "POST" else 200)


@capability_required("manage_users")
def user_set_active(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        try:
            services.set_active(by=request.user, request=request, user=user,
                                active=request.POST.get("active") == "1", reason=request.POST.get("reason", ""))
        except ValidationFailure as exc:
            messages.error(request, exc.errors[0].message_zh if request.LANGUAGE_CODE.startswith("zh")
                           else exc.errors[0].message_en)
        else:
            messages.success(request, _("Account status changed."))
    return redirect("users")


@capability_required("manage_roles")
def user_roles(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.set_roles(by=request.user, request=request, user=user, roles=request.POST.getlist("roles"),
                               reason=request.POST.get("reason", ""))
        except ValidationFailure as exc:
            error = exc.errors[0].message_zh if request.LANGUAGE_CODE.startswith("zh") else exc.errors[0].message_en
        else:
            messages.success(request, _("Roles updated."))
            return redirect("users")
    return render(request, "core/user_roles.html", {"target": user, "role_choices": _role_choices(request),
                                                    "error": error}, status=400 if error else 200)


@capability_required("manage_roles")
def user_unlock(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        try:
            services.unlock(by=request.user, request=request, username=user.username,
                            reason=request.POST.get("reason", ""))
        except ValidationFailure as exc:
            messages.error(request, exc.errors[0].message_zh if request.LANGUAGE_CODE.startswith("zh")
                           else exc.errors[0].message_en)
        else:
            messages.success(request, _("Account unlocked."))
    return redirect("users")


@capability_required("view_audit")
def audit_list(request):
    events = AuditEvent.objects.order_by("-id")
    filters = {k: request.GET.get(k, "").strip() for k in ("actor", "action", "outcome", "object_id")}
    if filters["actor"]:
        events = events.filter(actor=filters["actor"])
    if filters["action"]:
        events = events.filter(action__startswith=filters["action"])
    if filters["outcome"]:
        events = events.filter(outcome=filters["outcome"])
    if filters["object_id"]:
        events = events.filter(object_id=filters["object_id"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    report = None
    if request.method == "POST":
        report = audit.verify_chain()
        audit.record("audit.verify", request=request, outcome="success" if report.ok else "failure",
                     detail={"checked": report.checked, "broken_at": report.broken_at})
    return render(request, "core/audit.html", {"page": page, "filters": filters, "report": report})
