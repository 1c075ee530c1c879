"""Template context: the header search form (base.html shows it when ``search_url`` is set)."""

from __future__ import annotations

from django.urls import reverse


def search(request) -> dict:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("core.view_all_taxpayers"):
        return {"search_url": reverse("registry:search")}
    return {}
