"""View guards: a capability check that answers 403 and records the denial."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from . import audit


def capability_required(*capabilities: str):
    """Allow the view when the user holds any of the capabilities (``core.<codename>``)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user.has_perm(f"core.{c}") for c in capabilities):
                audit.record("access.denied", request=request, object_type="view", object_id=request.path,
                             outcome="denied", detail={"needs": list(capabilities)})
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
