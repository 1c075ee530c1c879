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


def xlsx(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = data["period"]
    ws.append([data["title_zh"]])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in _header(data):
        ws.append([label, value])
    ws.append([])
    ws.append(["栏次", "项目", "Item", "本期数", "预填值"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for c in data["cells"]:
        ws.append([c["no"], c["label_zh"], c["label_en"], Decimal(c["value"]) if c["value"] else "",
                   c["prefilled"]])
        ws.cell(row=ws.max_row, column=4).number_format = "#,##0.00" if c["unit"] == "money" else "0.##"
        ws.cell(row=ws.max_row, column=4).alignment = Alignment(horizontal="right")
    ws.append([])
    ws.append(["应缴税费合计", "", "", Decimal(data["payable"])])
    ws.cell(row=ws.max_row, column=4).number_format = "#,##0.00"
    ws.append(["大写", to_capital(data["payable"])])
    if data["changes"]:
        ws.append([])
        ws.append(["纳税人修改记录", "栏次", "原值", "新值", "理由"])
        for ch in data["changes"]:
            ws.append(["", ch["cell"], ch["old"], ch["new"], ch["reason"]])
    for col, width in zip("ABCDE", (10, 46, 46, 18, 18), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def pdf(data: dict) -> bytes:
    font = cjk_font()
    title = ParagraphStyle("t", fontName=font, fontSize=14, leading=18, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=8.5, leading=11)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=data["title_zh"])
    story = [Paragraph(data["title_zh"], title), Spacer(1, 4 * mm)]
    head = Table([[Paragraph(k, body), Paragraph(str(v), body)] for k, v in _header(data)],
                 colWidths=[35 * mm, 145 * mm])
    head.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey)]))
    story += [head, Spacer(1, 4 * mm)]
    rows = [[Paragraph(x, body) for x in ("栏次", "项目", "本期数", "预填值")]]
    for c in data["cells"]:
        rows.append([Paragraph(c["no"], body), Paragraph(c["label_zh"], body), Paragraph(c["value"], body),
                     Paragraph(c["prefilled"], body)])
    rows.append([Paragraph("", body), Paragraph(f"应缴税费合计（大写：{to_capital(data['payable'])}）", body),
                 Paragraph(data["payable"], body), Paragraph("", body)])
    table = Table(rows, colWidths=[18 * mm, 110 * mm, 28 * mm, 24 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
                               ("ALIGN", (2, 1), (3, -1), "RIGHT")]))
    story.append(table)
    if data["changes"]:
        story += [Spacer(1, 4 * mm), Paragraph("纳税人修改记录（原值 → 新值，理由）", body)]
        for ch in data["changes"]:
            story.append(Paragraph(f"{ch['cell']}：{ch['old']} → {ch['new']}　{ch['reason']}", body))
    story += [Spacer(1, 6 * mm), Paragraph("本申报表由智税平台预填、经纳税人确认后申报。", body)]
    doc.build(story)
    return out.getvalue()
