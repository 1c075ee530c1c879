"""E-invoice (数电票) models.

Two kinds of rows:

* **issued content** — ``Invoice`` and ``InvoiceLine``. Written once, in the transaction that numbers
  and signs the invoice, and never changed: the model refuses ``save`` of an existing row and
  queryset ``update``/``delete``; on PostgreSQL a trigger refuses UPDATE and DELETE (migration
  0002), on SQLite a trigger refuses UPDATE. Each invoice carries the SM3 digest of its canonical
  content, the digest of its predecessor in the series (the ledger chain) and the platform's SM2
  signature of its digest.
* **mutable state** kept beside it — ``InvoiceState`` (red-letter status, buyer's booking and usage
  confirmation, delivery and download counters), red-letter confirmation forms, deliveries,
  credit lines and their changes, idempotency records, the event outbox and the verification log.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}
QTY = {"max_digits": 24, "decimal_places": 8}


class SigningKey(models.Model):
    """An SM2 key pair of the platform. The private key is stored SM4-encrypted; retired keys stay
    so that the invoices they signed can still be verified."""

    key_id = models.CharField(_("key id"), max_length=32, primary_key=True)
    public_key = models.CharField(_("public key"), max_length=128)  # hex x‖y
    private_key_enc = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signing key")
        constraints = [models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                               name="invoicing_one_active_key")]

    def __str__(self) -> str:
        return self.key_id


class InvoiceSeries(models.Model):
    """The counter row of one number series (year, province, channel) and the head of its ledger.

    Locked (``SELECT … FOR UPDATE``; on SQLite the IMMEDIATE transaction's write lock) in the very
    transaction that inserts the invoice, so numbers have no gaps and no duplicates.
    """

    key = models.CharField(max_length=5, primary_key=True)  # yy + province + channel
    year = models.PositiveIntegerField()
    province = models.CharField(max_length=2)
    channel = models.PositiveSmallIntegerField()
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("invoice number series")

    def __str__(self) -> str:
        return f"{self.key} @ {self.last_seq}"


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("issued invoices are immutable")

    def delete(self):
        raise PermissionError("issued invoices are immutable")


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("issued invoices are immutable")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("issued invoices are immutable")


class Invoice(ImmutableModel):
    SPECIAL, ORDINARY = "special", "ordinary"
    KINDS = [(SPECIAL, _("special VAT invoice")), (ORDINARY, _("ordinary invoice"))]
    BLUE, RED = "blue", "red"
    COLOURS = [(BLUE, _("blue")), (RED, _("red"))]

    number = models.CharField(_("invoice number"), max_length=20, primary_key=True)
    series = models.ForeignKey(InvoiceSeries, on_delete=models.PROTECT, related_name="invoices",
                               db_index=False)  # the (series, seq) constraint indexes it
    seq = models.BigIntegerField()
    kind = models.CharField(_("invoice type"), max_length=10, choices=KINDS)
    colour = models.CharField(_("colour"), max_length=4, choices=COLOURS, default=BLUE)
    red_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reds",
                               verbose_name=_("reverses invoice"))
    red_form_no = models.CharField(_("red-letter form number"), max_length=24, blank=True)
    issued_at = models.DateTimeField(_("issued at"), db_index=True)
    seller_id = models.CharField(_("seller identifier"), max_length=20)
    seller_name = models.CharField(_("seller name"), max_length=200)
    seller_vat_status = models.CharField(max_length=12)
    seller_region = models.CharField(max_length=12, blank=True)  # township code
    seller_industry = models.CharField(max_length=8, blank=True)
    buyer_id = models.CharField(_("buyer identifier"), max_length=20, blank=True)
    buyer_name = models.CharField(_("buyer name"), max_length=200)
    amount = models.DecimalField(_("amount excl. VAT"), **MONEY)
    tax = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total incl. VAT"), **MONEY)
    remark = models.CharField(_("remarks"), max_length=500, blank=True)
    issuer = models.CharField(_("issuer"), max_length=50, blank=True)  # 开票人
    issued_by = models.CharField(max_length=150, blank=True)  # the account that issued it
    channel = models.CharField(max_length=8, default="api")  # web / api / batch / red
    line_count = models.PositiveIntegerField()
    key_id = models.CharField(max_length=32)
    prev_hash = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    signature = models.CharField(max_length=160)

    class Meta:
        verbose_name = _("invoice")
        ordering = ["-issued_at", "-number"]
        constraints = [models.UniqueConstraint(fields=["series", "seq"], name="invoicing_series_seq")]
        indexes = [models.Index(fields=["seller_id", "issued_at"]), models.Index(fields=["buyer_id", "issued_at"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_red(self) -> bool:
        return self.colour == self.RED


class InvoiceLine(ImmutableModel):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines",
                                db_index=False)  # the (invoice, line_no) constraint indexes it
    line_no = models.PositiveIntegerField()
    goods_code = models.CharField(_("tax classification code"), max_length=19)
    item_name = models.CharField(_("item"), max_length=200)
    specification = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity"), null=True, blank=True, **QTY)
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, **QTY)
    amount = models.DecimalField(_("amount"), **MONEY)
    tax_rate = models.DecimalField(_("rate"), max_digits=6, decimal_places=4)
    tax = models.DecimalField(_("tax"), **MONEY)
    red_of_line = models.PositiveIntegerField(null=True, blank=True)  # for red lines: the blue line reversed

    class Meta:
        verbose_name = _("invoice line")
        ordering = ["invoice", "line_no"]
        constraints = [models.UniqueConstraint(fields=["invoice", "line_no"], name="invoicing_line_no")]

    def __str__(self) -> str:
        return f"{self.invoice_id}#{self.line_no}"


class InvoiceState(models.Model):
    """Everything about an issued invoice that may change, beside its immutable content."""

    NORMAL, PARTLY_RED, RED_REVERSED = "normal", "partly_red", "red_reversed"
    STATUSES = [(NORMAL, _("normal")), (PARTLY_RED, _("partly red-reversed")), (RED_REVERSED, _("red-reversed"))]
    DEDUCT, NOT_DEDUCT = "deduct", "not_deduct"
    USAGES = [("", _("not confirmed")), (DEDUCT, _("for deduction")), (NOT_DEDUCT, _("not for deduction"))]

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, primary_key=True, related_name="state")
    status = models.CharField(_("status"), max_length=14, choices=STATUSES, default=NORMAL)
    red_amount = models.DecimalField(default=0, **MONEY)  # positive sum of red invoices against it
    red_tax = models.DecimalField(default=0, **MONEY)
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)  # buyer's 入账
    usage = models.CharField(_("usage"), max_length=10, choices=USAGES, blank=True)
    usage_period = models.CharField(_("deduction period"), max_length=7, blank=True)
    usage_at = models.DateTimeField(null=True, blank=True)
    usage_by = models.CharField(max_length=150, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_count = models.PositiveIntegerField(default=0)
    download_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice state")

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.status}"


class Delivery(models.Model):
    """One delivery of an invoice (交付): to the buyer's tax digital account, or as a download link."""

    ACCOUNT, LINK = "account", "link"
    CHANNELS = [(ACCOUNT, _("tax digital account")), (LINK, _("download link"))]

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=CHANNELS)
    recipient = models.CharField(max_length=20, blank=True)
    token_digest = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloads = models.PositiveIntegerField(default=0)
    last_download_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.invoice_id} → {self.channel}"


class RedLetterRequest(models.Model):
    """红字发票信息确认单: raised by either party, confirmed by the other, voided after 72 hours."""

    SELLER, BUYER = "seller", "buyer"
    PARTIES = [(SELLER, _("seller")), (BUYER, _("buyer"))]
    PENDING, ISSUED, REJECTED, VOIDED, WITHDRAWN = "pending", "issued", "rejected", "voided", "withdrawn"
    STATUSES = [(PENDING, _("awaiting confirmation")), (ISSUED, _("confirmed, red invoice issued")),
                (REJECTED, _("rejected")), (VOIDED, _("voided (not confirmed in time)")),
                (WITHDRAWN, _("withdrawn"))]
    REASONS = [("error", _("issued in error")), ("return", _("goods returned")),
               ("suspension", _("service suspended")), ("allowance", _("sales allowance"))]

    form_no = models.CharField(_("form number"), max_length=24, primary_key=True)
    blue = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="red_requests")
    seller_id = models.CharField(max_length=20, db_index=True)
    buyer_id = models.CharField(max_length=20, blank=True, db_index=True)
    raised_by_party = models.CharField(_("raised by"), max_length=6, choices=PARTIES)
    raised_by = models.CharField(max_length=150, blank=True)
    reason = models.CharField(_("reason"), max_length=12, choices=REASONS)
    full = models.BooleanField(_("full reversal"), default=True)
    amount = models.DecimalField(_("amount to reverse"), **MONEY)  # positive
    tax = models.DecimalField(_("tax to reverse"), **MONEY)
    lines = models.JSONField(default=list)  # [{"line_no", "amount", "tax", "quantity"}]
    needs_confirmation = models.BooleanField(default=True)
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=150, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    red_invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="red_request")

    class Meta:
        verbose_name = _("red-letter confirmation form")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.form_no


class CreditLine(models.Model):
    """发票总额度: the monthly cap on the total amount (excl. VAT) a taxpayer may invoice."""

    taxpayer_id = models.CharField(_("taxpayer"), max_length=20, primary_key=True)
    base_amount = models.DecimalField(_("monthly credit line"), **MONEY)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("invoice credit line")

    def __str__(self) -> str:
        return f"{self.taxpayer_id}: {self.base_amount}"


class CreditAdjustment(models.Model):
    """Every change of a credit line, automatic or manual, with its reasons (append-only)."""

    INITIAL, PERMANENT, TEMPORARY = "initial", "permanent", "temporary"
    KINDS = [(INITIAL, _("initial line")), (PERMANENT, _("permanent change")), (TEMPORARY, _("temporary change"))]

    taxpayer_id = models.CharField(max_length=20, db_index=True)
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    source = models.CharField(_("source"), max_length=20)  # system / staff / risk / credit
    actor = models.CharField(max_length=150, blank=True)
    before = models.DecimalField(**MONEY)
    after = models.DecimalField(**MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)  # permanent: the new line; temporary: the extra amount
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    reason = models.TextField(_("reason"))
    rule = models.CharField(max_length=120, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("credit line change")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.kind} {self.amount}"


class CreditUsage(models.Model):
    """Amount invoiced (excl. VAT, red invoices subtracted) per taxpayer and month."""

    taxpayer_id = models.CharField(max_length=20)
    month = models.CharField(max_length=7)
    used = models.DecimalField(default=0, **MONEY)

    class Meta:
        verbose_name = _("credit line usage")
        constraints = [models.UniqueConstraint(fields=["taxpayer_id", "month"], name="invoicing_usage_month")]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.month}: {self.used}"


class IdempotencyRecord(models.Model):
    """The response to a request made with an Idempotency-Key; committed with the invoice it created."""

    scope = models.CharField(max_length=160)
    key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="invoicing_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class InvoiceEvent(models.Model):
    """Outbox of invoicing events for the risk rules (read in id order from a cursor)."""

    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=24)
    invoice_number = models.CharField(max_length=20, blank=True, db_index=True)
    seller_id = models.CharField(max_length=20, blank=True)
    buyer_id = models.CharField(max_length=20, blank=True)
    region = models.CharField(max_length=12, blank=True)
    amount = models.DecimalField(null=True, blank=True, **MONEY)
    tax = models.DecimalField(null=True, blank=True, **MONEY)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("invoice event")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.kind} {self.invoice_number}"


class VerificationLog(models.Model):
    """One public verification (查验). No personal data: the client is a keyed hash of its address."""

    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=8)  # number / qr / xml / ofd / cli
    client = models.CharField(max_length=40)
    invoice_number = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=12)  # valid / invalid / not_found / rejected / limited
    checks = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("verification")
        indexes = [models.Index(fields=["client", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.outcome}"
