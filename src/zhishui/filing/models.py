"""Returns (申报表) with their pre-fill versions, cell changes, tax payable and payments.

A taxpayer is named by its identifier (USCC, or the registry key for personal taxpayers) — the same
string ``core.User.taxpayer_id`` and the invoicing app use — so every read goes through
``core.access.scope_queryset(user, qs, "taxpayer_id")``.

One ``Return`` row per (taxpayer, form, period, revision): revision 0 is the original return,
revision n the n-th correction (更正申报). A correction never edits the filed row: the filed row
becomes ``superseded`` and keeps its values, pre-fill and changes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhishui.core.fields import JSONTextField

MONEY = {"max_digits": 18, "decimal_places": 2}


class Return(models.Model):
    VAT_GENERAL, VAT_SMALL, CIT_Q, PROPERTY = "vat_general", "vat_small_scale", "cit_quarterly", "property_behaviour"
    FORMS = [(VAT_GENERAL, _("VAT and surcharges return (general taxpayer)")),
             (VAT_SMALL, _("VAT and surcharges return (small-scale taxpayer)")),
             (CIT_Q, _("Enterprise income tax quarterly prepayment")),
             (PROPERTY, _("Property and behaviour taxes return"))]
    PROPOSED, FILED, SUPERSEDED = "proposed", "filed", "superseded"
    STATUSES = [(PROPOSED, _("proposed")), (FILED, _("filed")), (SUPERSEDED, _("superseded by a correction"))]

    # No index of its own: the unique constraint below begins with it.
    taxpayer_id = models.CharField(_("taxpayer"), max_length=40)
    taxpayer_name = models.CharField(_("taxpayer name"), max_length=200, blank=True)
    form = models.CharField(_("return"), max_length=24, choices=FORMS)
    period = models.CharField(_("tax period"), max_length=7)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default=PROPOSED, db_index=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections", verbose_name=_("corrects"))
    values = JSONTextField(default=dict)  # cell -> decimal string (every cell of the form)
    profile = JSONTextField(default=dict)  # facts about the taxpayer used (status, location, eligibility)
    payable = models.DecimalField(_("tax payable"), default=0, **MONEY)
    deviations = models.JSONField(default=list, blank=True)  # cells beyond tolerance from the pre-fill (for risk)
    warnings = models.JSONField(default=list, blank=True)
    due_on = models.DateField(_("due date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    filed_by = models.CharField(max_length=150, blank=True)
    late = models.BooleanField(_("filed late"), default=False)

    class Meta:
        verbose_name = _("return")
        ordering = ["-period", "form", "-revision"]
        constraints = [models.UniqueConstraint(fields=["taxpayer_id", "form", "period", "revision"],
                                               name="filing_return_key")]
        indexes = [models.Index(fields=["period", "form", "status"])]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.form} {self.period} r{self.revision}"

    @property
    def latest_prefill(self):
        return self.prefills.order_by("-version").first()


class Prefill(models.Model):
    """One stored pre-fill (预填) of a return: the cells the platform proposed and how each was derived."""

    # No index of its own: the unique constraint (ret, version) serves lookups by return.
    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="prefills", db_index=False)
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)  # "batch", "system" or a username
    cells = JSONTextField(default=dict)
    traces = JSONTextField(default=dict)  # cell -> {"invoices": [...], "facts": [...], "field": ...}

    class Meta:
        verbose_name = _("pre-fill version")
        ordering = ["ret", "-version"]
        constraints = [models.UniqueConstraint(fields=["ret", "version"], name="filing_prefill_version")]

    def __str__(self) -> str:
        return f"{self.ret_id} v{self.version}"


class CellChange(models.Model):
    """A taxpayer's change of one cell: old and new value and the reason given."""

    ret = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="changes")
    cell = models.CharField(max_length=40)
    old = models.CharField(max_length=40)
    new = models.CharField(max_length=40)
    prefilled = models.CharField(max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    by = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cell change")
        ordering = ["ret", "at", "id"]

    def __str__(self) -> str:
        return f"{self.ret_id} {self.cell}: {self.old} → {self.new}"


class Payable(models.Model):
    """Tax payable created by filing (for a correction: the difference to the corrected return)."""

    OPEN, PAID, REFUND, NIL = "open", "paid", "refund_due", "nil"
    STATUSES = [(OPEN, _("unpaid")), (PAID, _("paid")), (REFUND, _("overpaid, refund due")), (NIL, _("nothing to pay"))]

    ret = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="payables")
    taxpayer_id = models.CharField(max_length=40, db_index=True)
    item = models.CharField(_("tax"), max_length=40)  # vat, urban_maintenance_tax, …
    amount = models.DecimalField(_("amount"), **MONEY)
    paid = models.DecimalField(_("paid"), default=0, **MONEY)
    due_on = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default=OPEN, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tax payable")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.item} {self.amount}"


class Payment(models.Model):
    """One debit through a bank channel, settling the open payables of a return."""

    ret = models.ForeignKey(Return, on_delete=models.PROTECT, related_name="payments")
    taxpayer_id = models.CharField(max_length=40, db_index=True)
    channel = models.CharField(_("channel"), max_length=40)
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("bank reference"), max_length=64)
    status = models.CharField(_("status"), max_length=12)  # settled / declined
    message = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("payment")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.amount} {self.reference}"


class Reminder(models.Model):
    """An automatic reminder (due soon, overdue, unpaid) sent to a taxpayer once per return period."""

    taxpayer_id = models.CharField(max_length=40, db_index=True)
    form = models.CharField(max_length=24)
    period = models.CharField(max_length=7)
    kind = models.CharField(max_length=12)  # due_soon / overdue / unpaid
    due_on = models.DateField()
    message_zh = models.CharField(max_length=300)
    message_en = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["taxpayer_id", "form", "period", "kind"],
                                               name="filing_reminder_once")]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.form} {self.period} {self.kind}"


class AbnormalDecision(models.Model):
    """Staff's decision on a 非正常户 candidate (no return for any tax for 3 months)."""

    MARK, DISMISS = "mark", "dismiss"
    DECISIONS = [(MARK, _("mark as abnormal household")), (DISMISS, _("dismiss"))]

    taxpayer_id = models.CharField(max_length=40, db_index=True)
    as_of = models.CharField(max_length=7)  # the last month examined
    decision = models.CharField(_("decision"), max_length=8, choices=DECISIONS)
    reason = models.CharField(_("reason"), max_length=300)
    evidence = models.JSONField(default=dict)
    by = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abnormal-household decision")
        ordering = ["-at"]
        constraints = [models.UniqueConstraint(fields=["taxpayer_id", "as_of"], name="filing_abnormal_once")]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.as_of} {self.decision}"


class PrefillJob(models.Model):
    """A batch pre-fill run for the district, with its progress: started from the staff page (a django-tasks
    background task, ``filing.tasks.batch_prefill_task``, whose id is ``task_id``) or by
    ``zhishui pipeline prefill`` (in the command's own process, no task)."""

    period = models.CharField(_("tax period"), max_length=7)
    status = models.CharField(_("status"), max_length=10, default="queued")  # queued/running/done/failed
    task_id = models.CharField(max_length=64, blank=True, default="")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    # The process running the job (core.liveness) and when it last reported progress: a job whose process
    # is gone is closed rather than left "running" (filing.jobs.close_abandoned).
    worker = models.CharField(max_length=120, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("batch pre-fill")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.period} {self.status} {self.done}/{self.total}"

    STATUS_LABELS = {"queued": _("queued, waiting for a worker"), "running": _("running"), "done": _("done"),
                     "failed": _("failed")}

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.status == "done" else 0)

    @property
    def status_label(self) -> str:
        return self.STATUS_LABELS.get(self.status, self.status)
