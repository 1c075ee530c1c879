"""Bad input: each case gets a precise report (file, line, column, value, reason in Chinese and English)
and nothing of the file is stored — unless --skip-invalid, which sets the bad rows aside."""

from __future__ import annotations

import csv
import zipfile

import pytest

from tests.registry import feedkit
from zhishui.registry import models
from zhishui.registry.feeds import FEEDS
from zhishui.registry.importer import import_directory

pytestmark = pytest.mark.django_db


def deliver(tmp_path, feed: str, records: list[dict], **kwargs):
    directory = tmp_path / "d"
    directory.mkdir(exist_ok=True)
    feedkit.write_csv(directory, feed, records, **kwargs)
    return directory


def only_file(report, feed: str):
    return next(f for f in report.files if f.feed == feed)


def assert_precise(problem, *, file: str, line: int | None, column: str, zh: str, value=...):
    assert problem.file == file
    assert problem.line == line
    assert problem.column == column
    assert zh in problem.message_zh, problem.message_zh
    assert problem.message_en and problem.message_en != problem.message_zh
    if value is not ...:
        assert problem.value == value


def _entities():
    return [dict(r) for r in feedkit.rows()["market_entities"]]


CASES = {
    "invalid USCC": ("market_entities", lambda rs: rs[1].update(uscc=feedkit.BETA[:-1] + "0"), 3, "uscc", "校验码错误"),
    "invalid ID number": (
        "market_entities",
        lambda rs: rs[0].update(legal_rep_id="610303198001011235"),
        2,
        "legal_rep_id",
        "校验码错误",
    ),
    "bad date": (
        "market_entities",
        lambda rs: rs[2].update(established_on="2025-02-30"),
        4,
        "established_on",
        "不是有效的日期",
    ),
    "bad date form": (
        "market_entities",
        lambda rs: rs[2].update(established_on="2025/02/03"),
        4,
        "established_on",
        "YYYY-MM-DD",
    ),
    "thousands separator": (
        "market_entities",
        lambda rs: rs[0].update(registered_capital="5,000,000.00"),
        2,
        "registered_capital",
        "千位分隔符",
    ),
    "three decimals": (
        "market_entities",
        lambda rs: rs[3].update(registered_capital="100000.001"),
        5,
        "registered_capital",
        "最多两位小数",
    ),
    "float exponent": (
        "market_entities",
        lambda rs: rs[3].update(registered_capital="1e5"),
        5,
        "registered_capital",
        "金额必须是数字",
    ),
    "unknown enum": ("market_entities", lambda rs: rs[0].update(status="停业"), 2, "status", "取值应为以下之一"),
    "deregistration date of an active entity": (
        "market_entities",
        lambda rs: rs[0].update(deregistered_on="2025-01-01"),
        2,
        "deregistered_on",
        "仅注销或吊销",
    ),
    "unknown township": (
        "market_entities",
        lambda rs: rs[0].update(region_code="610303999"),
        2,
        "region_code",
        "行政区划代码",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_value_rejects_the_file_with_a_precise_report(tmp_path, case):
    feed, mutate, line, column, zh = CASES[case]
    records = _entities()
    mutate(records)
    report = import_directory(deliver(tmp_path, feed, records))
    result = only_file(report, feed)
    assert result.status == "rejected" and report.status == "rejected"
    assert result.rejected == 1 and result.rows_read == 4
    assert_precise(result.problems[0], file=f"{feed}.csv", line=line, column=column, zh=zh)
    assert models.MarketEntity.objects.count() == 0 and models.Taxpayer.objects.count() == 0
    load = models.Load.objects.get(pk=result.load_id)
    assert load.status == "rejected" and load.error_count == 1 and load.errors[0]["line"] == line
    assert load.errors[0]["message_en"]


def test_the_value_in_the_report_is_the_cell_as_written(tmp_path):
    records = _entities()
    records[0]["registered_capital"] = " 5,000,000.00 "
    report = import_directory(deliver(tmp_path, "market_entities", records))
    assert report.files[0].problems[0].value == " 5,000,000.00 "


def test_wrong_encoding_names_the_line(tmp_path):
    directory = tmp_path / "enc"
    directory.mkdir()
    text = "id_number,name,region_code,phone\n" + f"{feedkit.ZHANG},张伟,610303,\n"
    (directory / "persons.csv").write_bytes(
        text.encode("utf-8") + f"{feedkit.LI},".encode() + b"\xff\xfe\x80,610303,\n"
    )
    report = import_directory(directory)
    result = only_file(report, "persons")
    assert result.status == "rejected"
    problem = result.problems[0]
    assert problem.line == 3 and "编码错误" in problem.message_zh and "wrong encoding" in problem.message_en
    assert "ff fe" in problem.value
    assert models.Person.objects.count() == 0


def test_utf16_is_refused_with_advice(tmp_path):
    directory = tmp_path / "u16"
    directory.mkdir()
    (directory / "persons.csv").write_bytes("id_number,name\n".encode("utf-16"))
    problem = only_file(import_directory(directory), "persons").problems[0]
    assert "UTF-16" in problem.message_zh and "GB18030" in problem.message_en


def test_a_missing_required_column(tmp_path):
    names = [c.name for c in FEEDS["market_entities"].columns if c.name != "name"]
    report = import_directory(deliver(tmp_path, "market_entities", _entities(), columns=names))
    result = only_file(report, "market_entities")
    assert result.status == "rejected" and result.rejected == 0
    assert_precise(result.problems[0], file="market_entities.csv", line=1, column="name", zh="缺少必需的列")
    assert models.MarketEntity.objects.count() == 0


def test_a_row_that_does_not_split_into_the_header_s_cells(tmp_path):
    directory = tmp_path / "shape"
    directory.mkdir()
    path = feedkit.write_csv(directory, "persons", feedkit.rows()["persons"][:3])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, "610303198001011234,多余,610303,,extra")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = only_file(import_directory(directory), "persons")
    assert result.status == "rejected"
    assert result.problems[0].line == 3 and "5个字段" in result.problems[0].message_zh


def test_line_numbers_count_line_breaks_inside_quoted_values(tmp_path):
    directory = tmp_path / "nl"
    directory.mkdir()
    records = _entities()
    records[0]["address"] = "中山东路1号\n2楼"
    records[2]["established_on"] = "2020-13-01"
    feedkit.write_csv(directory, "market_entities", records)
    problem = only_file(import_directory(directory), "market_entities").problems[0]
    assert problem.line == 5 and problem.column == "established_on"  # record 3 starts on physical line 5


def test_duplicate_key_inside_one_file(tmp_path):
    records = feedkit.rows()["persons"][:3]
    records.append(dict(records[0], name="张伟（重复）"))
    result = only_file(import_directory(deliver(tmp_path, "persons", records)), "persons")
    assert result.status == "rejected"
    assert_precise(result.problems[0], file="persons.csv", line=5, column="id_number", zh="与第2行重复")
    assert models.Person.objects.count() == 0


def _invoice_dir(tmp_path, mutate_invoices=None, mutate_lines=None):
    data = feedkit.rows()
    directory = tmp_path / "inv"
    directory.mkdir(exist_ok=True)
    invoices, lines = data["invoices"], data["invoice_lines"]
    if mutate_invoices:
        mutate_invoices(invoices)
    if mutate_lines:
        mutate_lines(lines)
    feedkit.write_csv(directory, "invoices", invoices)
    feedkit.write_csv(directory, "invoice_lines", lines)
    return directory


def test_invoice_lines_that_do_not_add_up(tmp_path):
    report = import_directory(
        _invoice_dir(tmp_path, mutate_lines=lambda ls: ls[1].update(amount="2000.01", tax="260.00"))
    )
    invoices, lines = only_file(report, "invoices"), only_file(report, "invoice_lines")
    assert invoices.status == "rejected" and lines.status == "rejected"
    assert_precise(invoices.problems[0], file="invoices.csv", line=2, column="amount", zh="明细金额合计与发票金额不符")
    assert "10000.01" in invoices.problems[0].message_zh
    assert models.ImportedInvoice.objects.count() == 0 and models.ImportedInvoiceLine.objects.count() == 0


def test_a_line_whose_tax_is_off_by_more_than_six_fen(tmp_path):
    def off(lines):
        lines[3].update(tax="65.07")

    def keep_total(invoices):
        invoices[2].update(tax="65.07")

    report = import_directory(_invoice_dir(tmp_path, keep_total, off))
    lines = only_file(report, "invoice_lines")
    assert_precise(lines.problems[0], file="invoice_lines.csv", line=5, column="tax", zh="相差超过0.06元")


def test_six_fen_are_tolerated(tmp_path):
    report = import_directory(
        _invoice_dir(tmp_path, lambda i: i[2].update(tax="65.06"), lambda ls: ls[3].update(tax="65.06"))
    )
    assert report.status == "ok"


def test_a_red_invoice_without_its_blue_one(tmp_path):
    report = import_directory(_invoice_dir(tmp_path, lambda i: i[1].update(red_of="25612000000000000099")))
    invoices = only_file(report, "invoices")
    assert invoices.status == "rejected"
    assert_precise(invoices.problems[0], file="invoices.csv", line=3, column="red_of", zh="25612000000000000099不存在")


def test_a_red_invoice_that_names_no_blue_one(tmp_path):
    report = import_directory(_invoice_dir(tmp_path, lambda i: i[1].update(red_of="")))
    assert_precise(
        only_file(report, "invoices").problems[0],
        file="invoices.csv",
        line=3,
        column="red_of",
        zh="须填写对应蓝字发票号码",
    )


def test_a_red_invoice_for_another_buyer(tmp_path):
    report = import_directory(_invoice_dir(tmp_path, lambda i: i[1].update(buyer_id=feedkit.GAMMA)))
    assert "销售方或购买方不一致" in only_file(report, "invoices").problems[0].message_zh


def test_red_invoices_never_reverse_more_than_the_blue_amount(tmp_path):
    def reds(invoices):
        invoices[1].update(amount="-10000.01", tax="-13.00")

    def lines(ls):
        ls[2].update(amount="-10000.01", quantity="", unit_price="", tax="-13.00", tax_rate="0.0013")

    report = import_directory(_invoice_dir(tmp_path, reds, lines))
    problem = only_file(report, "invoices").problems[0]
    assert problem.column == "amount" and "超过其金额" in problem.message_zh


def test_an_invalid_invoice_number(tmp_path):
    report = import_directory(_invoice_dir(tmp_path, lambda i: i[4].update(invoice_no="25992000000000000005")))
    problems = only_file(report, "invoices").problems
    assert any(p.column == "invoice_no" and p.line == 6 and "省级" in p.message_zh for p in problems)


def test_skip_invalid_loads_the_rest_and_sets_the_bad_rows_aside(tmp_path):
    records = _entities()
    records[1]["uscc"] = "91610303MA6X000020"
    records[2]["established_on"] = "2025-02-30"
    directory = deliver(tmp_path, "market_entities", records)
    report = import_directory(directory, skip_invalid=True)
    result = only_file(report, "market_entities")
    assert result.status == "partial" and report.status == "partial"
    assert (result.inserted, result.rejected) == (2, 2)
    assert models.MarketEntity.objects.count() == 2
    rejected = list(csv.DictReader((directory / "rejected" / "market_entities.csv").open(encoding="utf-8")))
    assert [r["line"] for r in rejected] == ["3", "4"]
    assert rejected[0]["uscc"] == "91610303MA6X000020" and "校验码错误" in rejected[0]["reason_zh"]
    assert "check character" in rejected[0]["reason_en"]
    assert rejected[1]["established_on"] == "2025-02-30"


def test_skip_invalid_drops_an_invoice_together_with_its_lines(tmp_path):
    directory = _invoice_dir(tmp_path, mutate_lines=lambda ls: ls[0].update(goods_code="12345"))
    report = import_directory(directory, skip_invalid=True)
    assert only_file(report, "invoices").rejected == 2  # the blue invoice and its red one
    assert not models.ImportedInvoice.objects.filter(invoice_no="25612000000000000001").exists()
    assert models.ImportedInvoice.objects.count() == 3
    assert models.ImportedInvoiceLine.objects.count() == 3


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    directory = tmp_path / "big"
    directory.mkdir()
    with (directory / "invoices.csv").open("wb") as fh:  # a sparse 2 GB file: nothing is written to disk
        fh.truncate(2 * 1024**3)
    report = import_directory(directory)
    problem = only_file(report, "invoices").problems[0]
    assert "2.0 GB" in problem.message_zh and "超过上限" in problem.message_zh and "limit" in problem.message_en
    assert models.Load.objects.get(feed="invoices").file_bytes == 0


def _bomb(path, member: str, size: int) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open(member, "w") as fh:
            chunk = b"0" * (1 << 20)
            for _ in range(size >> 20):
                fh.write(chunk)


def test_an_xlsx_bomb_is_not_inflated(tmp_path, settings):
    settings.ZHISHUI_IMPORT_MAX_BYTES = 64 * 1024**2
    directory = tmp_path / "bomb"
    directory.mkdir()
    _bomb(directory / "persons.xlsx", "xl/worksheets/sheet1.xml", 80 * 1024**2)
    assert (directory / "persons.xlsx").stat().st_size < 1024**2
    problem = only_file(import_directory(directory), "persons").problems[0]
    assert "压缩炸弹" in problem.message_zh and "zip bomb" in problem.message_en


def test_an_xlsx_with_an_extreme_compression_ratio_is_refused(tmp_path):
    directory = tmp_path / "ratio"
    directory.mkdir()
    _bomb(directory / "persons.xlsx", "xl/sharedStrings.xml", 16 * 1024**2)
    problem = only_file(import_directory(directory), "persons").problems[0]
    assert "压缩比" in problem.message_zh and problem.column == "xl/sharedStrings.xml"


def test_a_damaged_xlsx(tmp_path):
    directory = tmp_path / "bad"
    directory.mkdir()
    (directory / "persons.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    problem = only_file(import_directory(directory), "persons").problems[0]
    assert "zip" in problem.message_en


def test_an_invalid_manifest_rejects_the_delivery(tmp_path, feed_dir):
    (feed_dir / "manifest.json").write_text("{not json", encoding="utf-8")
    report = import_directory(feed_dir)
    assert report.status == "rejected" and "清单文件无效" in report.messages[0].message_zh


def test_a_manifest_listing_a_missing_file(tmp_path, feed_dir):
    (feed_dir / "utilities.csv").unlink()
    report = import_directory(feed_dir)
    assert any(m.column == "utilities" and "没有对应文件" in m.message_zh for m in report.messages)


def test_unknown_files_are_reported_not_loaded(tmp_path):
    directory = tmp_path / "misc"
    directory.mkdir()
    (directory / "notes.txt").write_text("hello")
    report = import_directory(directory)
    assert any(m.file == "notes.txt" and "已忽略" in m.message_zh for m in report.messages)


def test_every_problem_is_complete_in_both_languages(tmp_path):
    records = _entities()
    records[0].update(
        uscc="X",
        name="",
        established_on="01/02/2020",
        registered_capital="abc",
        status="x",
        legal_rep_id="123",
        region_code="12",
        industry_code="99",
        phone="phone",
    )
    result = only_file(import_directory(deliver(tmp_path, "market_entities", records)), "market_entities")
    columns = {p.column for p in result.problems}
    assert {
        "uscc",
        "name",
        "established_on",
        "registered_capital",
        "status",
        "legal_rep_id",
        "region_code",
        "industry_code",
        "phone",
    } <= columns
    for p in result.problems:
        assert p.file == "market_entities.csv" and p.line == 2 and p.message_zh and p.message_en
