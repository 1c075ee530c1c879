"""API authentication: bearer tokens (SM3 digest lookup) and the browser session with CSRF."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from .crypto import sm3_hex
from .models import ApiToken


def issue_token(user, name: str, expires_at=None) -> tuple[ApiToken, str]:
    raw = "zs_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=sm3_hex(raw.encode()), prefix=raw[:8],
                                    expires_at=expires_at)
    return token, raw


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = (ApiToken.objects.select_related("user").filter(digest=sm3_hex(token.encode()), revoked=False)
                 .first())
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.expires_at and found.expires_at <= now:
            return None
        # Record use at most once a minute: a write on every request would halve the API's throughput.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class SessionAuth(NinjaSessionAuth):
    """Session auth; staff sessions must have passed the second factor (the middleware checks it)."""
