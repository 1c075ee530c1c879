"""The batch-issue Excel template (批量开具): one sheet of invoices, one sheet of their lines.

Sheet ``发票基本信息``: 发票序号 (a reference within the file), 票种, 购买方名称, 购买方纳税人识别号,
备注, 开票人. Sheet ``发票明细``: 发票序号, 税收分类编码, 项目名称, 规格型号, 单位, 数量, 单价, 金额,
税率. Up to 2,000 lines per invoice. ``parse`` turns a filled file into the same invoice requests
the API takes (every cell as text, so no binary float reaches the amounts) and reports each bad cell
with sheet, row and column.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill

from zhishui.core.errors import ErrorCollector, FieldError, ValidationFailure
from zhishui.core.identifiers import uscc_check_char

from .drafting import MAX_LINES

HEAD_SHEET, LINE_SHEET = "发票基本信息", "发票明细"
HEAD_COLUMNS = [("ref", "发票序号"), ("kind", "票种"), ("buyer_name", "购买方名称"), ("buyer_id", "购买方纳税人识别号"),
                ("remark", "备注"), ("issuer", "开票人")]
LINE_COLUMNS = [("ref", "发票序号"), ("goods_code", "税收分类编码"), ("name", "项目名称"),
                ("specification", "规格型号"), ("unit", "单位"), ("quantity", "数量"), ("unit_price", "单价"),
                ("amount", "金额"), ("tax_rate", "税率")]
KINDS = {"special": "special", "ordinary": "ordinary", "增值税专用发票": "special", "专票": "special",
         "专用发票": "special", "普通发票": "ordinary", "普票": "ordinary"}
MAX_BYTES = 20 * 1024 * 1024
EXAMPLE_BUYER = "91610303MA6XA0B0" + "0" + uscc_check_char("91610303MA6XA0B00")
MAX_ROWS = 50000


def template() -> bytes:
    wb = Workbook()
    head = wb.active
    head.title = HEAD_SHEET
    lines = wb.create_sheet(LINE_SHEET)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="F2DCDB")
    for sheet, columns in ((head, HEAD_COLUMNS), (lines, LINE_COLUMNS)):
        sheet.append([zh for _key, zh in columns])
        for cell in sheet[1]:
            cell.font, cell.fill = bold, fill
        for i in range(len(columns)):
            sheet.column_dimensions[chr(ord("A") + i)].width = 22
        sheet.freeze_panes = "A2"
    head.append(["1", "增值税专用发票", "宝鸡某某商贸有限公司", EXAMPLE_BUYER, "合同号 HT-001", "张三"])
    lines.append(["1", "3040201010000000000", "软件开发服务", "", "项", "1", "1000", "1000.00", "0.06"])
    for sheet in (head, lines):
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel stores numbers as binary floats: take the shortest decimal that round-trips.
        return format(Decimal(repr(value)).normalize(), "f")
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def _rows(sheet, columns, errors: ErrorCollector) -> list[tuple[int, dict]]:
    rows = sheet.iter_rows(values_only=True)
    header = [(_cell_text(v)) for v in next(rows, [])]
    index = {}
    for key, zh in columns:
        if zh in header:
            index[key] = header.index(zh)
        elif key in header:
            index[key] = header.index(key)
        elif key not in ("remark", "issuer", "specification", "unit", "quantity", "unit_price"):
            errors.add(f"{sheet.title}!1", f"缺少列“{zh}”", f"missing column {key!r} ({zh})", None)
    out = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise ValidationFailure("file", f"行数超过{MAX_ROWS}", f"more than {MAX_ROWS} rows", None, code="bad_file")
        record = {key: _cell_text(values[i]) if i < len(values) else "" for key, i in index.items()}
        if any(record.values()):
            out.append((number, record))
    return out


def parse(data: bytes, name: str = "") -> list[dict]:
    """Invoice requests from a filled template (all-or-nothing: any bad cell rejects the file)."""
    if len(data) > MAX_BYTES:
        raise ValidationFailure("file", "文件过大", "the file is too large", name, code="bad_file")
    if not data.startswith(b"PK\x03\x04") or (name and not name.lower().endswith(".xlsx")):
        raise ValidationFailure("file", "请上传 .xlsx 格式的批量开具模板", "upload the .xlsx batch template", name,
                                code="bad_file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > 10 * MAX_BYTES:
                raise ValidationFailure("file", "文件解压后过大", "the file expands too much", name, code="bad_file")
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ValidationFailure:
        raise
    except Exception as exc:  # openpyxl raises many kinds of errors for a damaged file
        raise ValidationFailure("file", "无法读取Excel文件", "the Excel file cannot be read", name,
                                code="bad_file") from exc
    errors = ErrorCollector()
    if HEAD_SHEET not in wb.sheetnames or LINE_SHEET not in wb.sheetnames:
        raise ValidationFailure("file", f"模板应包含“{HEAD_SHEET}”和“{LINE_SHEET}”两个工作表",
                                f"the template needs the sheets {HEAD_SHEET} and {LINE_SHEET}", name, code="bad_file")
    heads = _rows(wb[HEAD_SHEET], HEAD_COLUMNS, errors)
    lines = _rows(wb[LINE_SHEET], LINE_COLUMNS, errors)
    errors.raise_if_any()
    invoices: dict[str, dict] = {}
    for row, record in heads:
        ref = record.get("ref", "")
        if not ref or ref in invoices:
            errors.add(f"{HEAD_SHEET}!A{row}", "发票序号为空或重复", "the invoice reference is empty or repeated", ref)
            continue
        kind = KINDS.get(record.get("kind", ""), record.get("kind", ""))
        buyer = {"id": record.get("buyer_id", ""), "name": record.get("buyer_name", "")}
        invoices[ref] = {"kind": kind, "buyer": buyer,
                         "remark": record.get("remark", ""), "issuer": record.get("issuer", ""), "lines": [],
                         "_row": row}
    for row, record in lines:
        ref = record.pop("ref", "")
        if ref not in invoices:
            errors.add(f"{LINE_SHEET}!A{row}", f"明细的发票序号“{ref}”在“{HEAD_SHEET}”中不存在",
                       f"line refers to an unknown invoice {ref!r}", ref)
            continue
        if len(invoices[ref]["lines"]) >= MAX_LINES:
            errors.add(f"{LINE_SHEET}!A{row}", f"发票“{ref}”超过{MAX_LINES}行明细",
                       f"invoice {ref!r} has more than {MAX_LINES} lines", ref)
            continue
        invoices[ref]["lines"].append({**{k: v for k, v in record.items() if v != ""}, "_row": row})
    errors.raise_if_any()
    if not invoices:
        raise ValidationFailure("file", "模板中没有发票", "the template contains no invoice", name, code="bad_file")
    return list(invoices.values())


_HEAD_LETTERS = {key: chr(ord("A") + i) for i, (key, _zh) in enumerate(HEAD_COLUMNS)}
_LINE_LETTERS = {key: chr(ord("A") + i) for i, (key, _zh) in enumerate(LINE_COLUMNS)}


def locate(exc: ValidationFailure, invoices: list[dict]) -> ValidationFailure:
    """Name the sheet cell of each error of a batch made from the template (``invoices[i].lines[j].amount`` →
    ``发票明细!H12``)."""
    import re

    out = []
    for err in exc.errors:
        match = re.match(r"^invoices\[(\d+)\]\.(?:lines\[(\d+)\]\.)?([a-z_]+)", err.field)
        where = err.field
        if match:
            inv = invoices[int(match[1])] if int(match[1]) < len(invoices) else {}
            key = match[3]
            if match[2] is not None and int(match[2]) < len(inv.get("lines", [])):
                row = inv["lines"][int(match[2])].get("_row")
                where = f"{LINE_SHEET}!{_LINE_LETTERS.get(key, 'A')}{row} ({key})"
            elif inv.get("_row"):
                letter = _HEAD_LETTERS.get({"buyer_id": "buyer_id", "buyer_name": "buyer_name"}.get(key, key), "A")
                where = f"{HEAD_SHEET}!{letter}{inv['_row']} ({key})"
        out.append(FieldError(where, err.message_zh, err.message_en, err.value))
    return ValidationFailure(errors=out, code=exc.code)
