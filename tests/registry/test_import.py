"""Loading feed directories: formats, encodings, headers, manifest, versions, idempotence, round trip."""

from __future__ import annotations

import csv
import hashlib
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db import connection

from tests.registry import feedkit
from zhishui.core.models import AuditEvent
from zhishui.registry import models
from zhishui.registry.exporter import export_directory
from zhishui.registry.feeds import FEEDS, ORDER
from zhishui.registry.importer import import_directory

pytestmark = pytest.mark.django_db

COUNTS = {
    "market_entities": 4,
    "tax_registrations": 4,
    "persons": 5,
    "relations": 7,
    "social_insurance": 4,
    "utilities": 2,
    "real_estate": 1,
    "property_holdings": 2,
    "customs_exports": 1,
    "invoices": 5,
    "invoice_lines": 6,
    "returns": 4,
}


def stored() -> dict[str, int]:
    return {name: getattr(models, FEEDS[name].model).objects.count() for name in ORDER}


def wipe() -> None:
    """Empty the registry (in foreign-key order), as a fresh installation would be."""
    for model in (
        models.RecordVersion,
        models.QualityFinding,
        models.ImportedInvoiceLine,
        models.ImportedInvoice,
        models.TaxReturn,
        models.CustomsExport,
        models.PropertyHolding,
        models.RealEstateTransaction,
        models.UtilityUse,
        models.SocialInsurance,
        models.Relation,
        models.Person,
        models.TaxRegistration,
        models.MarketEntity,
        models.Taxpayer,
        models.Load,
        models.ImportBatch,
    ):
        model.objects.all().delete()


def test_a_feed_directory_loads_with_a_report(feed_dir):
    report = import_directory(feed_dir, by="tester")
    assert report.status == "ok"
    assert stored() == COUNTS
    persons = next(f for f in report.files if f.feed == "persons")
    assert (persons.rows_read, persons.inserted, persons.rejected) == (6, 5, 0)  # one person merged (15/18 digits)
    load = models.Load.objects.get(pk=persons.load_id)
    assert load.source == "测试部门" and load.period == "2025-02" and load.encoding == "utf-8"
    assert load.sha256 == hashlib.sha256((feed_dir / "persons.csv").read_bytes()).hexdigest()
    assert load.finished_at and load.seconds > 0 and load.status == "loaded"
    # Every record knows its load, hence its feed, department and file.
    invoice = models.ImportedInvoice.objects.select_related("load").get(invoice_no="25612000000000000001")
    assert invoice.load.feed == "invoices" and invoice.load.file_name == "invoices.csv" and invoice.version == 1
    event = AuditEvent.objects.filter(action="registry.import").last()
    assert event.actor == "tester" and event.detail["status"] == "ok"
    assert event.detail["files"]["invoices"]["inserted"] == 5


def test_values_are_stored_as_typed_values(loaded):
    from datetime import UTC, date, datetime
    from decimal import Decimal

    inv = models.ImportedInvoice.objects.get(invoice_no="25612000000000000001")
    assert inv.issued_at == datetime(2025, 1, 15, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai
    assert inv.month == "2025-01" and inv.amount == Decimal("10000.00") and inv.tax == Decimal("1300.00")
    red = models.ImportedInvoice.objects.get(invoice_no="25612000000000000002")
    assert red.amount == Decimal("-100.00") and red.red_of == inv.invoice_no
    utc = models.ImportedInvoice.objects.get(invoice_no="25612000000000000004")
    assert utc.issued_at == datetime(2025, 2, 5, 8, 0, tzinfo=UTC)  # "Z" kept as UTC
    assert models.MarketEntity.objects.get(name__contains="德尔塔").deregistered_on == date(2024, 6, 30)
    assert models.UtilityUse.objects.get(month="2025-01").electricity_kwh == Decimal("12500.5")
    ret = models.TaxReturn.objects.get(period="2025-02")
    assert ret.filed_at is None and ret.filed_key == "" and ret.tax_payable is None
    consumer = models.ImportedInvoice.objects.get(invoice_no="25612000000000000003")
    assert consumer.buyer is None and consumer.buyer_name == "个人"
    outside = models.Taxpayer.objects.get(tax_id=feedkit.OUTSIDE)
    assert not outside.in_district and not hasattr(outside, "registration")  # a counterparty, not a finding


def test_reimporting_the_same_directory_changes_nothing(loaded, feed_dir):
    before = stored()
    versions = models.RecordVersion.objects.count()
    again = import_directory(feed_dir)
    assert again.status == "ok"
    assert all(
        f.inserted == 0 and f.updated == 0 and f.unchanged == f.rows_read - (1 if f.feed == "persons" else 0)
        for f in again.files
    )
    assert stored() == before and models.RecordVersion.objects.count() == versions


def test_a_changed_row_becomes_a_new_version_with_history(loaded, feed_dir):
    data = feedkit.rows()
    data["tax_registrations"][0]["state"] = "abnormal"
    data["tax_registrations"][0]["officer_id"] = "G0099"
    feedkit.write_all(feed_dir, data)
    report = import_directory(feed_dir)
    regs = next(f for f in report.files if f.feed == "tax_registrations")
    assert (regs.inserted, regs.updated, regs.unchanged) == (0, 1, 3)
    reg = models.TaxRegistration.objects.get(taxpayer__tax_id=feedkit.ACME)
    assert reg.state == "abnormal" and reg.version == 2 and reg.load_id == regs.load_id
    old = models.RecordVersion.objects.get(feed="tax_registrations", record_id=reg.pk)
    assert old.version == 1 and old.row["state"] == "normal" and old.row["officer_id"] == "G0012"
    assert old.subject_id == reg.taxpayer_id and old.replaced_by_id == regs.load_id
    assert old.load_id != regs.load_id


def test_a_changed_personal_row_keeps_its_history_encrypted(loaded, feed_dir):
    data = feedkit.rows()
    data["persons"][0]["phone"] = "13900009999"
    feedkit.write_all(feed_dir, data)
    import_directory(feed_dir)
    old = models.RecordVersion.objects.get(feed="persons")
    assert "13812345678" not in json.dumps(old.row) and old.row["phone_masked"] == "138****5678"
    assert old.person_bidx == old.row["id_bidx"]


def _canonical_files(directory) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.name != "manifest.json"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_import_export_import_is_lossless(loaded, feed_dir, tmp_path, fmt):
    exported = tmp_path / "exported"
    export_directory(exported, fmt=fmt)
    again = import_directory(exported)
    assert again.status == "ok"
    assert all(f.inserted == 0 and f.updated == 0 for f in again.files)  # every row identical
    # Loaded into an empty registry, the export holds exactly what the original delivery held.
    wipe()
    assert import_directory(exported).status == "ok"
    assert stored() == COUNTS
    from_export = tmp_path / "from_export"
    export_directory(from_export)
    wipe()
    import_directory(feed_dir)
    from_original = tmp_path / "from_original"
    export_directory(from_original)
    assert _canonical_files(from_export) == _canonical_files(from_original)
    if fmt == "csv":
        assert _canonical_files(exported) == _canonical_files(from_original)


def test_export_writes_canonical_csv_and_a_verifiable_manifest(loaded, tmp_path):
    manifest = export_directory(tmp_path / "out")
    out = tmp_path / "out"
    assert manifest["feeds"]["invoices"]["rows"] == 5
    for name, entry in manifest["feeds"].items():
        assert hashlib.sha256((out / f"{name}.csv").read_bytes()).hexdigest() == entry["sha256"]
    rows = list(csv.DictReader((out / "invoices.csv").open(encoding="utf-8")))
    red = next(r for r in rows if r["invoice_no"] == "25612000000000000002")
    assert red["amount"] == "-100.00" and red["tax"] == "-13.00"  # negative money is never neutralised
    assert red["issued_at"] == "2025-01-20T09:00:00+08:00"
    persons = list(csv.DictReader((out / "persons.csv").open(encoding="utf-8")))
    assert {p["id_number"] for p in persons} >= {feedkit.ZHANG, feedkit.OLD18}  # the 15-digit number converted
    assert AuditEvent.objects.filter(action="registry.export").exists()


def test_formula_injection_is_neutralised_in_csv_and_xlsx_only_in_text_columns(loaded, tmp_path):
    import openpyxl

    export_directory(tmp_path / "csv")
    entities = {r["uscc"]: r for r in csv.DictReader((tmp_path / "csv" / "market_entities.csv").open(encoding="utf-8"))}
    assert entities[feedkit.BETA]["address"] == '\'=HYPERLINK("x")东风路8号'
    persons = {r["name"]: r for r in csv.DictReader((tmp_path / "csv" / "persons.csv").open(encoding="utf-8"))}
    assert persons["李娜"]["phone"] == "'+86 139 1234 5678"
    export_directory(tmp_path / "xlsx", fmt="xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "xlsx" / "market_entities.xlsx").worksheets[0]
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert '\'=HYPERLINK("x")东风路8号' in cells
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    invoices = openpyxl.load_workbook(tmp_path / "xlsx" / "invoices.xlsx").worksheets[0]
    amounts = [row[6].value for row in invoices.iter_rows(min_row=2)]
    assert -100 in amounts  # a number cell, not text, and not prefixed
    # …and the stored text is unchanged by a round trip.
    import_directory(tmp_path / "csv")
    assert models.MarketEntity.objects.get(taxpayer__tax_id=feedkit.BETA).address == '=HYPERLINK("x")东风路8号'


def test_chinese_headers_and_gb18030_are_accepted(db, tmp_path):
    directory = tmp_path / "gb"
    directory.mkdir()
    data = feedkit.rows()
    feedkit.write_csv(directory, "market_entities", data["market_entities"], encoding="gb18030", chinese=True)
    report = import_directory(directory)
    assert report.status == "ok", [p.text() for f in report.files for p in f.problems]
    load = models.Load.objects.get(feed="market_entities")
    assert load.encoding == "gb18030"
    assert models.MarketEntity.objects.get(taxpayer__tax_id=feedkit.ACME).name == "宝鸡市金台区艾克米机械有限公司"


def test_utf8_with_bom_and_chinese_enum_labels(db, tmp_path):
    directory = tmp_path / "bom"
    directory.mkdir()
    data = feedkit.rows()["tax_registrations"]
    for row in data:
        row["vat_status"] = {"general": "一般纳税人", "small_scale": "小规模纳税人"}[row["vat_status"]]
    feedkit.write_csv(directory, "tax_registrations", data, encoding="utf-8-sig", chinese=True)
    report = import_directory(directory)
    assert report.status == "ok"
    assert models.Load.objects.get().encoding == "utf-8-sig"
    assert set(models.TaxRegistration.objects.values_list("vat_status", flat=True)) == {"general", "small_scale"}


def test_unknown_columns_are_reported_and_ignored(db, tmp_path):
    directory = tmp_path / "extra"
    directory.mkdir()
    records = [dict(r, 备注="x") for r in feedkit.rows()["persons"][:2]]
    feedkit.write_csv(directory, "persons", records, columns=["id_number", "name", "region_code", "phone", "备注"])
    report = import_directory(directory)
    assert report.status == "ok"
    assert any("备注" in w.message_zh and w.line == 1 for w in report.files[0].warnings)


def test_xlsx_with_typed_cells_loads(db, tmp_path):
    import datetime as dt

    import openpyxl

    directory = tmp_path / "x"
    directory.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["纳税人识别号", "税种", "所属期", "申报销售额/收入", "应纳税额", "已缴税额", "申报时间"])
    sheet.append([feedkit.ACME, "增值税", "2025-01", 9900, 1287.5, 1287.5, dt.datetime(2025, 2, 12, 10, 0)])
    sheet.append([feedkit.ACME, "vat", "2025-02", None, None, None, None])
    book.save(directory / "returns.xlsx")
    report = import_directory(directory)
    assert report.status == "ok", [p.text() for f in report.files for p in f.problems]
    from decimal import Decimal

    assert models.TaxReturn.objects.get(period="2025-01").tax_payable == Decimal("1287.50")
    assert models.Load.objects.get().file_format == "xlsx"


def test_parquet_with_typed_columns_loads(db, tmp_path):
    from decimal import Decimal

    directory = tmp_path / "p"
    directory.mkdir()
    table = pa.table(
        {
            "entity_id": pa.array([feedkit.ACME, feedkit.BETA]),
            "month": pa.array(["2025-03", "2025-03"]),
            "insured_count": pa.array([12, 3], pa.int32()),
            "wage_base": pa.array([Decimal("1000.5"), Decimal("300")], pa.decimal128(12, 2)),
            "contribution": pa.array([310.25, 93.0], pa.float64()),
        }
    )
    pq.write_table(table, directory / "social_insurance.parquet")
    report = import_directory(directory)
    assert report.status == "ok", [p.text() for f in report.files for p in f.problems]
    row = models.SocialInsurance.objects.get(entity__tax_id=feedkit.ACME)
    assert (row.insured_count, row.wage_base, row.contribution) == (12, Decimal("1000.50"), Decimal("310.25"))


def test_manifest_checksum_and_row_count_are_verified(db, feed_dir):
    manifest = json.loads((feed_dir / "manifest.json").read_text())
    manifest["feeds"]["persons"]["sha256"] = "0" * 64
    manifest["feeds"]["utilities"]["rows"] = 3
    (feed_dir / "manifest.json").write_text(json.dumps(manifest))
    report = import_directory(feed_dir)
    files = {f.feed: f for f in report.files}
    assert files["persons"].status == "rejected" and "校验和" in files["persons"].problems[0].message_zh
    assert files["utilities"].status == "rejected" and "行数" in files["utilities"].problems[0].message_zh
    assert models.Person.objects.count() == 0 and models.UtilityUse.objects.count() == 0
    assert files["market_entities"].status == "loaded" and report.status == "partial"


def test_the_import_command_prints_the_report_and_exits_2_on_rejection(db, feed_dir, capsys):
    call_command("import", str(feed_dir))
    out = capsys.readouterr().out
    assert "market_entities" in out and "loaded" in out
    (feed_dir / "persons.csv").write_text("id_number,name\n123,张三\n", encoding="utf-8")
    (feed_dir / "manifest.json").unlink()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as exc:
        call_command("import", str(feed_dir))
    assert exc.value.returncode == 2


def test_the_export_command_writes_a_directory(loaded, tmp_path, capsys):
    call_command("export", str(tmp_path / "out"), "--format", "parquet", "--feeds", "persons,relations")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "manifest.json",
        "persons.parquet",
        "relations.parquet",
    ]
    assert "persons.parquet: 5" in capsys.readouterr().out


def test_a_delivery_of_lines_for_stored_invoices(loaded, tmp_path):
    directory = tmp_path / "lines"
    directory.mkdir()
    lines = [dict(r) for r in feedkit.rows()["invoice_lines"] if r["invoice_no"] == "25612000000000000003"]
    lines[0]["unit"] = "小时"
    feedkit.write_csv(directory, "invoice_lines", lines)
    report = import_directory(directory)
    assert report.status == "ok" and report.files[0].updated == 1
    lines[0]["amount"] = "499.00"
    feedkit.write_csv(directory, "invoice_lines", lines)
    report = import_directory(directory)
    assert report.status == "rejected" and "已入库发票" in report.files[0].problems[0].message_zh


def test_sqlite_or_postgres_in_use():
    assert connection.vendor in ("sqlite", "postgresql")
