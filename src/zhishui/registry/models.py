"""The registry: who the taxpayers and persons of the district are, and what every department
says about them (一户式 / 一人式).

Every fact row carries the ``Load`` that brought it (and so the feed, the department and the file),
the hash of its canonical content (``row_hash``, to tell unchanged rows on re-import) and a
``version``; a changed row keeps its earlier versions in ``RecordVersion``.

Personal identifiers (ID numbers, phone numbers) are never stored in clear: ``*_enc`` holds the
SM4 ciphertext (``core.crypto``), ``*_bidx`` a keyed blind index for exact lookup and ``*_masked``
the form shown to roles that do not need the full value (see ``registry.pii``).

Writes go through ``registry.importer`` (bulk, validated, per-file atomic); nothing here is edited
by hand. Invoices here are *imported* historical invoices (feeds ``invoices``/``invoice_lines``);
see docs/decisions/0004-registry-data-exchange.md for how the live e-invoice service adds its own.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 18, "decimal_places": 2}
DECIMAL = {"max_digits": 20, "decimal_places": 8}  # quantities, prices, areas, kWh, m³
RATE = {"max_digits": 9, "decimal_places": 6}


class ImportBatch(models.Model):
    """One run of ``import_directory``: a feed directory from one department."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    by = models.CharField(_("by"), max_length=150, blank=True)
    via = models.CharField(_("via"), max_length=10)  # cli, web, api, demo
    directory = models.CharField(_("directory"), max_length=500, blank=True)
    source = models.CharField(_("department"), max_length=100, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    skip_invalid = models.BooleanField(default=False)
    status = models.CharField(_("status"), max_length=10, default="running")  # ok, partial, rejected
    messages = models.JSONField(default=list, blank=True)  # directory-level problems
    quality = models.JSONField(default=dict, blank=True)  # finding counts by kind after this batch

    class Meta:
        verbose_name = _("import batch")
        ordering = ["-id"]

    def __str__(self):
        return f"#{self.pk} {self.source or self.directory} ({self.status})"


class Load(models.Model):
    """The load report of one feed file."""

    STATUSES = [("loaded", _("loaded")), ("partial", _("loaded without rejected rows")),
                ("rejected", _("rejected")), ("running", _("running"))]

    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="loads")
    feed = models.CharField(_("feed"), max_length=30, db_index=True)
    source = models.CharField(_("department"), max_length=100, db_index=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(max_length=10)
    encoding = models.CharField(max_length=20, blank=True)
    file_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    period = models.CharField(max_length=20, blank=True)
    extracted_at = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    rows_read = models.BigIntegerField(default=0)
    inserted = models.BigIntegerField(default=0)
    updated = models.BigIntegerField(default=0)
    unchanged = models.BigIntegerField(default=0)
    rejected = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=STATUSES, default="running")
    error_count = models.BigIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # the first errors, file/line/column/value/reason
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("load")
        ordering = ["-id"]
        indexes = [models.Index(fields=["feed", "status", "finished_at"])]

    def __str__(self):
        return f"{self.feed} {self.file_name} #{self.pk} ({self.status})"


class Taxpayer(models.Model):
    """A party known by an identifier: registered here, or an outside counterparty seen in a feed.

    ``key`` is the identifier itself for USCCs and unit numbers, and the blind index for
    identifiers that contain an ID number (natural persons, individual businesses registered by
    ID card); those are stored only encrypted.
    """

    key = models.CharField(max_length=40, unique=True)
    id_kind = models.CharField(max_length=20)  # uscc, id_number, legacy_taxpayer_no
    personal = models.BooleanField(default=False)
    tax_id = models.CharField(max_length=20, blank=True, db_index=True)  # in clear unless personal
    tax_id_enc = models.TextField(blank=True)
    tax_id_masked = models.CharField(max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True, db_index=True)
    in_district = models.BooleanField(default=False)  # USCC registered by the district's authorities
    first_load = models.ForeignKey(Load, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("taxpayer")

    def __str__(self):
        return f"{self.name or self.display_id}"

    @property
    def display_id(self) -> str:
        return self.tax_id_masked if self.personal else self.tax_id


class FeedRecord(models.Model):
    load = models.ForeignKey(Load, on_delete=models.PROTECT, related_name="+")
    row_hash = models.BigIntegerField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class MarketEntity(FeedRecord):
    taxpayer = models.OneToOneField(Taxpayer, on_delete=models.PROTECT, related_name="market_entity")
    name = models.CharField(max_length=200)
    entity_type = models.CharField(max_length=30)
    established_on = models.DateField()
    status = models.CharField(max_length=20)
    deregistered_on = models.DateField(null=True, blank=True)
    registered_capital = models.DecimalField(null=True, **MONEY)
    industry_code = models.CharField(max_length=5, blank=True)
    region_code = models.CharField(max_length=9, blank=True)
    address = models.CharField(max_length=300, blank=True)
    legal_rep_bidx = models.CharField(max_length=40, blank=True, db_index=True)
    legal_rep_enc = models.TextField(blank=True)
    legal_rep_masked = models.CharField(max_length=20, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(max_length=30, blank=True)

    def __str__(self):
        return self.name


class TaxRegistration(FeedRecord):
    taxpayer = models.OneToOneField(Taxpayer, on_delete=models.PROTECT, related_name="registration")
    name = models.CharField(max_length=200)
    taxpayer_kind = models.CharField(max_length=30)
    vat_status = models.CharField(max_length=20)
    registered_on = models.DateField()
    tax_office = models.CharField(max_length=100, blank=True)
    officer_id = models.CharField(max_length=40, blank=True)
    state = models.CharField(max_length=20)
    urban_class = models.CharField(max_length=20, blank=True)

    def __str__(self):
        return self.name


class Person(FeedRecord):
    """A natural person. Gender and birth date come from the ID number, never stored twice."""

    id_bidx = models.CharField(max_length=40, unique=True)
    id_enc = models.TextField()
    id_masked = models.CharField(max_length=20)
    name = models.CharField(max_length=100, db_index=True)
    region_code = models.CharField(max_length=9, blank=True)
    phone_enc = models.TextField(blank=True)
    phone_masked = models.CharField(max_length=30, blank=True)
    # Which forms of the number departments delivered: 1 = 18 digits, 2 = first-generation 15 digits.
    id_forms = models.PositiveSmallIntegerField(default=1)

    def __str__(self):
        return f"{self.name} {self.id_masked}"


class Relation(FeedRecord):
    person_bidx = models.CharField(max_length=40, db_index=True)
    person_enc = models.TextField()
    person_masked = models.CharField(max_length=20)
    entity = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="relations")
    role = models.CharField(max_length=20)
    share_ratio = models.DecimalField(null=True, **RATE)
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person_bidx", "entity", "role", "start_on"],
                                               name="registry_relation_key")]

    def __str__(self):
        return f"{self.person_masked} {self.role} {self.entity_id}"


class SocialInsurance(FeedRecord):
    entity = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.CharField(max_length=7)
    insured_count = models.IntegerField()
    wage_base = models.DecimalField(**MONEY)
    contribution = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "month"], name="registry_si_key")]

    def __str__(self):
        return f"{self.entity_id} {self.month}"


class UtilityUse(FeedRecord):
    entity = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+", db_index=False)
    month = models.CharField(max_length=7)
    electricity_kwh = models.DecimalField(null=True, **DECIMAL)
    water_m3 = models.DecimalField(null=True, **DECIMAL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "month"], name="registry_utility_key")]

    def __str__(self):
        return f"{self.entity_id} {self.month}"


class RealEstateTransaction(FeedRecord):
    transaction_id = models.CharField(max_length=64, unique=True)
    property_id = models.CharField(max_length=64, db_index=True)
    seller = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+")
    property_type = models.CharField(max_length=20)
    area_m2 = models.DecimalField(**DECIMAL)
    contract_price = models.DecimalField(**MONEY)
    signed_on = models.DateField()
    registered_on = models.DateField(null=True, blank=True)
    buyer_first_home = models.BooleanField(null=True)

    def __str__(self):
        return self.transaction_id


class PropertyHolding(FeedRecord):
    property_id = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+")
    property_type = models.CharField(max_length=20)
    land_area_m2 = models.DecimalField(null=True, **DECIMAL)
    land_grade = models.IntegerField(null=True)
    original_value = models.DecimalField(null=True, **MONEY)
    annual_rent = models.DecimalField(null=True, **MONEY)
    acquired_on = models.DateField()

    def __str__(self):
        return self.property_id


class CustomsExport(FeedRecord):
    declaration_no = models.CharField(max_length=18, unique=True)
    exporter = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+", db_index=False)
    export_date = models.DateField()
    hs_code = models.CharField(max_length=10)
    goods_name = models.CharField(max_length=200)
    fob_cny = models.DecimalField(**MONEY)
    destination = models.CharField(max_length=2)

    class Meta:
        indexes = [models.Index(fields=["exporter", "export_date"])]

    def __str__(self):
        return self.declaration_no


class ImportedInvoice(FeedRecord):
    """A historical or migrated invoice from the ``invoices`` feed (not one issued by this platform)."""

    invoice_no = models.CharField(max_length=40, unique=True)
    invoice_type = models.CharField(max_length=10)
    issued_at = models.DateTimeField()
    month = models.CharField(max_length=7)  # issued_at's month in Asia/Shanghai, for the profile's series
    seller = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+", db_index=False)
    buyer = models.ForeignKey(Taxpayer, null=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    buyer_name = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    status = models.CharField(max_length=12)
    red_of = models.CharField(max_length=40, blank=True)
    deduction_confirmed_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["seller", "month"]), models.Index(fields=["buyer", "month"]),
                   models.Index(fields=["red_of"], name="registry_invoice_red_of")]

    def __str__(self):
        return self.invoice_no


class ImportedInvoiceLine(FeedRecord):
    invoice = models.ForeignKey(ImportedInvoice, on_delete=models.PROTECT, related_name="lines", db_index=False)
    line_no = models.IntegerField()
    goods_code = models.CharField(max_length=19)
    item_name = models.CharField(max_length=300)
    unit = models.CharField(max_length=20, blank=True)
    quantity = models.DecimalField(null=True, **DECIMAL)
    unit_price = models.DecimalField(null=True, **DECIMAL)
    amount = models.DecimalField(**MONEY)
    tax_rate = models.DecimalField(**RATE)
    tax = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "line_no"], name="registry_invoice_line_key")]

    def __str__(self):
        return f"{self.invoice_id}/{self.line_no}"



class InvoiceSummary(models.Model):
    """发票月度汇总 (``registry.summaries``): derived from the imported invoices and their lines, rebuilt by the
    importer for every month an import touches; what the bulk pre-fill reads."""

    direction = models.CharField(max_length=6)  # output (the seller's, month issued) / input (the buyer's)
    month = models.CharField(max_length=7)  # input: the month deduction was confirmed
    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.CASCADE, related_name="+", db_index=False)
    rate_bp = models.IntegerField(null=True)  # basis points; null for invoices that came without lines
    goods_class = models.CharField(max_length=1, null=True)  # first digit of the goods code: 1 goods, else services
    kind = models.CharField(max_length=10)  # invoice type
    amount_fen = models.BigIntegerField()
    tax_fen = models.BigIntegerField()
    numbers = models.TextField()  # the invoice numbers, comma-separated, each once

    class Meta:
        indexes = [models.Index(fields=["direction", "month"], name="registry_summary_month")]

    def __str__(self) -> str:
        return f"{self.direction} {self.month} {self.taxpayer_id} {self.rate_bp} {self.kind}"

class TaxReturn(FeedRecord):
    taxpayer = models.ForeignKey(Taxpayer, on_delete=models.PROTECT, related_name="+", db_index=False)
    tax_type = models.CharField(max_length=20)
    period = models.CharField(max_length=7)
    declared_sales = models.DecimalField(null=True, **MONEY)
    tax_payable = models.DecimalField(null=True, **MONEY)
    tax_paid = models.DecimalField(null=True, **MONEY)
    filed_at = models.DateTimeField(null=True, blank=True)
    filed_key = models.CharField(max_length=40, blank=True)  # filed_at as text, "" when never filed (the key)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["taxpayer", "tax_type", "period", "filed_key"],
                                               name="registry_return_key")]

    def __str__(self):
        return f"{self.taxpayer_id} {self.tax_type} {self.period}"


class RecordVersion(models.Model):
    """An earlier version of a fact row, kept when a load changed it (personal data stays encrypted)."""

    feed = models.CharField(max_length=30)
    record_id = models.BigIntegerField()
    key = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    row = models.JSONField()
    row_hash = models.BigIntegerField()
    load = models.ForeignKey(Load, on_delete=models.PROTECT, related_name="+")
    replaced_by = models.ForeignKey(Load, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField()
    subject = models.ForeignKey(Taxpayer, null=True, on_delete=models.PROTECT, related_name="+")
    person_bidx = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["feed", "record_id"]), models.Index(fields=["subject", "replaced_at"])]

    def __str__(self):
        return f"{self.feed} #{self.record_id} v{self.version}"


class QualityFinding(models.Model):
    """A cross-feed inconsistency found after a load (recomputed after every batch)."""

    KINDS = [
        ("unregistered_seller", _("Invoices from a seller of this district without tax registration")),
        ("unknown_person", _("Relations to persons missing from the persons feed")),
        ("si_after_deregistration", _("Social insurance paid for a deregistered entity")),
        ("duplicate_person", _("Same person delivered under old and new ID numbers")),
    ]

    kind = models.CharField(max_length=30, choices=KINDS, db_index=True)
    subject = models.ForeignKey(Taxpayer, null=True, on_delete=models.CASCADE, related_name="+")
    person_bidx = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict)
    count = models.BigIntegerField(default=1)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField()

    class Meta:
        ordering = ["kind", "-count", "id"]

    def __str__(self):
        return f"{self.kind} {self.subject_id or self.person_bidx[:8]}"
