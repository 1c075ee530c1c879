"""Who sees and does what in the reform module.

- The task-force office (``manage_reform``) and every other reader (``view_reform`` without
  ``report_reform``: leaders, staff) see every unit's items.
- A liaison (``report_reform``) sees only the items of the unit it is the active liaison of, and
  reports only on those. A liaison bound to no unit sees none.
A refused object answers 404 and the attempt is audited, as in ``core.access``.
"""

from __future__ import annotations

from django.http import Http404

from zhishui.core import audit


def can_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("core.manage_reform"))


def can_read(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("core.view_reform"))


def liaison_units(user) -> set[int]:
    """The units the user is the active liaison of (cached on the user object for the request)."""
    cached = getattr(user, "_reform_units", None)
    if cached is None:
        from .models import Liaison

        cached = set(Liaison.objects.filter(user=user, until__isnull=True).values_list("unit_id", flat=True)) \
            if user and user.is_authenticated else set()
        user._reform_units = cached
    return cached


def unit_scope(user) -> set[int] | None:
    """``None`` means every unit; otherwise the ids of the units whose items the user may read."""
    if can_manage(user):
        return None
    if user and user.is_authenticated and user.has_perm("core.report_reform"):
        return liaison_units(user)
    if can_read(user):
        return None
    return set()


def scope_assignments(user, queryset, field: str = "unit_id"):
    scope = unit_scope(user)
    return queryset if scope is None else queryset.filter(**{f"{field}__in": sorted(scope)})


def may_read_unit(user, unit_id: int) -> bool:
    scope = unit_scope(user)
    return scope is None or unit_id in scope


def may_report(user, assignment) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("core.report_reform")
                and assignment.unit_id in liaison_units(user))


def deny(request, what: str, object_id) -> None:
    audit.record("access.denied", request=request, object_type=what, object_id=str(object_id), outcome="denied",
                 detail={"path": request.path})
    raise Http404


def require_unit(request, unit_id: int, *, what: str, object_id) -> None:
    if not may_read_unit(request.user, unit_id):
        deny(request, what, object_id)
