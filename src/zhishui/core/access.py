"""Object-level access: the one place that decides whose data a user may see.

Staff with ``view_all_taxpayers`` see every taxpayer; a taxpayer user sees only the taxpayer it
is bound to; everyone else sees none. A refused object answers 404 (its existence is not
revealed) and the attempt is audited. Every view and API endpoint that reads taxpayer data
goes through ``taxpayer_scope``/``require_taxpayer``/``scope_queryset``.
"""

from __future__ import annotations

from django.http import Http404

from . import audit


def can_view_all(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("core.view_all_taxpayers"))


def taxpayer_scope(user) -> set[str] | None:
    """``None`` means every taxpayer; otherwise the set of taxpayer ids the user may read."""
    if can_view_all(user):
        return None
    if user and user.is_authenticated and user.has_perm("core.taxpayer_portal") and user.taxpayer_id:
        return {user.taxpayer_id}
    return set()


def may_read_taxpayer(user, taxpayer_id: str) -> bool:
    scope = taxpayer_scope(user)
    return scope is None or taxpayer_id in scope


def require_taxpayer(request, taxpayer_id: str, *, what: str = "taxpayer") -> None:
    """Raise 404 (audited) unless the request's user may read this taxpayer's data."""
    if not may_read_taxpayer(request.user, taxpayer_id):
        audit.record("access.denied", request=request, object_type=what, object_id=taxpayer_id,
                     outcome="denied", detail={"path": request.path})
        raise Http404


def scope_queryset(user, queryset, field: str = "taxpayer_id"):
    """Restrict a queryset of taxpayer-owned rows to what the user may read."""
    scope = taxpayer_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__in": sorted(scope)})
