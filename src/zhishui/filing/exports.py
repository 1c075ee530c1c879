"""Excel (openpyxl) and PDF (ReportLab) copies of a filed return, line by line."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from zhishui.core.money import to_capital
from zhishui.core.pdf import cjk_font

STATUS_ZH = {"proposed": "预填待确认", "filed": "已申报", "superseded": "已被更正申报替代"}


def _header(data: dict) -> list[tuple[str, str]]:
    return [("纳税人识别号", data["taxpayer_id"]), ("纳税人名称", data["taxpayer_name"]),
            ("税款所属期", f"{data['period']}（{data['period_label']}）"),
            ("申报类型", f"更正申报（第{data['revision']}次）" if data["revision"] else "正常申报"),
            ("状态", STATUS_ZH.get(data["status"], data["status"])), ("申报时间", data["filed_at"] or ""),
            ("金额单位", "元（列至角分）")]


def _columns(data: dict) -> list[str]:
    """The value columns of the form: this period, 本年累计 (VAT returns), the 即征即退 pair (general return)."""
    if data.get("has_refund_column"):
        return ["一般项目 本月数", "一般项目 本年累计", "即征即退项目 本月数", "即征即退项目 本年累计"]
    if data.get("has_ytd"):
        return ["本期数", "本年累计"]
    return ["本期数"]


def _lines(data: dict) -> list[tuple[str, list]]:
    """(section title, [(line no, item, [values…], pre-filled)…]) in the order of the form; "——" where the
    official form has no cell or a balance is not summed."""
    out = []
    for section in data["sections"]:
        rows = []
        for row in section["rows"]:
            values = []
            for c in ((row["general"], row["refund"]) if data.get("has_refund_column") else (row["general"],)):
                values.append(c["value"] if c else "——")
                if data.get("has_ytd"):
                    values.append(c["ytd"] if c and c["ytd"] is not None else "——")
            first = row["general"] or row["refund"]
            rows.append((row["no"], row["label_zh"], values, first["prefilled"], first["unit"]))
        out.append((section["title_zh"], rows))
    return out


def _number(text: str, unit: str):
    if text in ("", "——"):
        return text
    return int(Decimal(text)) if unit == "count" else Decimal(text)


def xlsx(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = data["period"]
    ws.append([data["title_zh"]])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in _header(data):
        ws.append([label, value])
    if data.get("has_ytd"):
        ws.append(["本年累计", "本年度在平台申报的本表（各所属期最新一次申报）与本期之和："
                   + "、".join(data["ytd_periods"]) + "；余额类栏次不累计（——）"])
    ws.append([])
    columns = _columns(data)
    ws.append(["项目", "栏次", *columns, "预填值"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for title, rows in _lines(data):
        ws.append([title])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        for no, label, values, prefilled, unit in rows:
            ws.append([label, no, *(_number(v, unit) for v in values), prefilled])
            for i in range(len(values)):
                cell = ws.cell(row=ws.max_row, column=3 + i)
                cell.number_format = "#,##0.00" if unit == "money" else "0"
                cell.alignment = Alignment(horizontal="right")
    ws.append([])
    ws.append(["应缴税费合计", "", Decimal(data["payable"])])
    ws.cell(row=ws.max_row, column=3).number_format = "#,##0.00"
    ws.append(["大写", to_capital(data["payable"])])
    if data["changes"]:
        ws.append([])
        ws.append(["纳税人修改记录", "栏次", "原值", "新值", "理由"])
        for ch in data["changes"]:
            ws.append(["", ch["cell"], ch["old"], ch["new"], ch["reason"]])
    for col, width in zip("ABCDEFG", (52, 10, 18, 18, 18, 18, 18), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf(data: dict) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=14, leading=18, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=8, leading=10)
    num = ParagraphStyle("n", fontName=font, fontSize=8, leading=10, alignment=2)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=data["title_zh"])
    story = [Paragraph(data["title_zh"], title), Spacer(1, 4 * mm)]
    head = Table([[Paragraph(k, body), Paragraph(str(v), body)] for k, v in _header(data)],
                 colWidths=[35 * mm, 151 * mm])
    head.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story += [head, Spacer(1, 4 * mm)]
    columns = _columns(data)
    value_width = {4: 22, 2: 28, 1: 30}[len(columns)] * mm
    label_width = 186 * mm - 14 * mm - value_width * len(columns) - 22 * mm
    rows = [[Paragraph(x, body) for x in ("项目", "栏次", *columns, "预填值")]]
    style = [("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4"))]
    for section, lines in _lines(data):
        style += [("SPAN", (0, len(rows)), (-1, len(rows))),
                  ("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.HexColor("#e3e8ee"))]
        rows.append([Paragraph(section, body)] + [""] * (len(columns) + 2))
        for no, label, values, prefilled, _unit in lines:
            rows.append([Paragraph(label, body), Paragraph(no, body), *(Paragraph(v, num) for v in values),
                         Paragraph(prefilled, num)])
    rows.append([Paragraph(f"应缴税费合计（大写：{to_capital(data['payable'])}）", body), "",
                 Paragraph(data["payable"], num)] + [""] * len(columns))
    table = Table(rows, colWidths=[label_width, 14 * mm, *([value_width] * len(columns)), 22 * mm], repeatRows=1)
    table.setStyle(TableStyle(style))
    story.append(table)
    if data.get("has_ytd"):
        story += [Spacer(1, 2 * mm), Paragraph("本年累计：本年度在平台申报的本表（各所属期最新一次申报）与本期之和（"
                                               + "、".join(data["ytd_periods"]) + "）；余额类栏次不累计（——）。", body)]
    if data["changes"]:
        story += [Spacer(1, 4 * mm), Paragraph("纳税人修改记录（原值 → 新值，理由）", body)]
        for ch in data["changes"]:
            story.append(Paragraph(f"{ch['cell']}：{ch['old']} → {ch['new']}　{ch['reason']}", body))
    story += [Spacer(1, 6 * mm), Paragraph("本申报表由智税平台预填、经纳税人确认后申报。", body)]
    doc.build(story)
    return out.getvalue()
