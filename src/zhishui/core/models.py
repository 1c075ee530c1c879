"""Core models: the user account, API tokens and the append-only audit trail."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import ADMIN_ROLES, CAPABILITIES, ROLES


class User(AbstractUser):
    """A person who signs in: staff, a taxpayer's tax agent, or a natural person.

    Roles are groups (see ``core.roles``). A taxpayer user is bound to one taxpayer by its
    identifier and can never see another taxpayer's data (``core.access``).
    """

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    taxpayer_id = models.CharField(_("bound taxpayer"), max_length=20, blank=True, db_index=True,
                                   help_text=_("USCC or taxpayer number of the taxpayer this account acts for"))
    password_changed_at = models.DateTimeField(_("password changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = sorted(CAPABILITIES.items())

    @property
    def role_codes(self) -> list[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            names = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            cached = [code for code in ROLES if code in names]
            self._role_codes = cached
        return cached

    @property
    def is_staff_role(self) -> bool:
        return any(ROLES[c].staff for c in self.role_codes)

    @property
    def primary_role(self) -> str | None:
        return self.role_codes[0] if self.role_codes else None

    @property
    def admin_roles(self) -> list[str]:
        return [c for c in self.role_codes if c in ADMIN_ROLES]

    def label(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SM3 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One legally significant act. Append-only; each event carries the SM3 hash of its predecessor.

    Writes go through ``core.audit.record``; PostgreSQL refuses UPDATE and DELETE by trigger
    (migration 0002), and on SQLite the model and its queryset refuse them.
    """

    OUTCOMES = [("success", _("success")), ("failure", _("failure")), ("denied", _("denied"))]

    id = models.BigIntegerField(primary_key=True)  # the chain position, assigned under the head lock
    at = models.DateTimeField(db_index=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object"), max_length=120, blank=True, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=OUTCOMES)
    client_ip = models.CharField(_("client address"), max_length=45, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        ordering = ["id"]
        indexes = [models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"#{self.id} {self.action} {self.actor}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class AuditChainHead(models.Model):
    """The single row that serialises appends to the chain and anchors it after a purge."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    anchor_seq = models.BigIntegerField(default=0)  # events up to here were purged
    anchor_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain head at {self.last_seq}"
