"""The invoice as a PDF laid out like the fully digitalised e-invoice (210 × 140 mm).

Title, QR code (the verification link), number and date, buyer and seller blocks, the item lines,
totals, the total in capital numerals (大写), remarks and the issuer; long invoices continue on
further pages of the same layout ("第n页/共N页"). The platform's signature is printed in the footer
(key id and SM3 digest); the PDF is a rendering — the signed data is the XML/the record.
"""

from __future__ import annotations

import io
from decimal import Decimal

import segno
from django.utils import timezone
from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from zhishui.core.money import to_capital
from zhishui.core.pdf import cjk_font

from . import documents
from .goods import format_rate

PAGE = (210 * mm, 140 * mm)
BROWN = Color(0.55, 0.27, 0.07)
ROWS_PER_PAGE = 10
LEFT, RIGHT = 10 * mm, 200 * mm
COLUMNS = [  # (title, x start, width, align)
    ("项目名称", 10, 50, "left"), ("规格型号", 60, 20, "left"), ("单位", 80, 12, "left"),
    ("数量", 92, 20, "right"), ("单价", 112, 22, "right"), ("金额", 134, 24, "right"),
    ("税率/征收率", 158, 16, "right"), ("税额", 174, 26, "right"),
]


def _fit(text: str, font: str, size: float, width: float) -> str:
    while text and stringWidth(text, font, size) > width:
        text = text[:-1]
    return text


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _qty(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def _qr(c: Canvas, payload: str, x: float, y: float, size: float) -> None:
    matrix = segno.make(payload, error="m").matrix
    cell = size / len(matrix)
    c.setFillColor(black)
    for row, values in enumerate(matrix):
        for col, dark in enumerate(values):
            if dark:
                c.rect(x + col * cell, y + size - (row + 1) * cell, cell, cell, stroke=0, fill=1)


def _text(c: Canvas, font: str, size: float, x: float, y: float, text: str, color=black, align: str = "left",
          width: float | None = None) -> None:
    c.setFont(font, size)
    c.setFillColor(color)
    if width is not None:
        text = _fit(text, font, size, width)
    if align == "right":
        c.drawRightString(x, y, text)
    elif align == "center":
        c.drawCentredString(x, y, text)
    else:
        c.drawString(x, y, text)


def _party(c: Canvas, font: str, x: float, label: str, name: str, tax_id: str) -> None:
    c.setStrokeColor(BROWN)
    c.line(x + 8 * mm, 88 * mm, x + 8 * mm, 108 * mm)
    for i, ch in enumerate(label):
        _text(c, font, 9, x + 3 * mm, (104 - i * 4.2) * mm, ch, BROWN)
    _text(c, font, 9, x + 10 * mm, 100 * mm, "名称：", BROWN)
    _text(c, font, 9, x + 20 * mm, 100 * mm, name, width=73 * mm)
    _text(c, font, 8, x + 10 * mm, 92 * mm, "统一社会信用代码/纳税人识别号：", BROWN)
    _text(c, font, 9, x + 55 * mm, 92 * mm, tax_id or "", width=38 * mm)


def render(invoice, lines=None) -> bytes:
    lines = lines if lines is not None else list(invoice.lines.order_by("line_no"))
    font = cjk_font()
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=PAGE, pageCompression=1)
    c.setTitle(f"{documents.TITLES[invoice.kind]} {invoice.number}")
    c.setAuthor("zhishui")
    pages = [lines[i:i + ROWS_PER_PAGE] for i in range(0, max(len(lines), 1), ROWS_PER_PAGE)] or [[]]
    issued = timezone.localtime(invoice.issued_at)
    payload = documents.verify_url(invoice)
    for page_no, chunk in enumerate(pages, 1):
        title = documents.TITLES[invoice.kind]
        _text(c, font, 16, 105 * mm, 126 * mm, title, BROWN, "center")
        width = stringWidth(title, font, 16)
        c.setStrokeColor(BROWN)
        c.setLineWidth(0.6)
        for dy in (124.5, 123.8):
            c.line(105 * mm - width / 2, dy * mm, 105 * mm + width / 2, dy * mm)
        _qr(c, payload, LEFT, 111 * mm, 24 * mm)
        _text(c, font, 9, 145 * mm, 126 * mm, "发票号码：", BROWN)
        _text(c, font, 9, 162 * mm, 126 * mm, invoice.number)
        _text(c, font, 9, 145 * mm, 120 * mm, "开票日期：", BROWN)
        _text(c, font, 9, 162 * mm, 120 * mm, f"{issued.year}年{issued.month:02d}月{issued.day:02d}日")
        if len(pages) > 1:
            _text(c, font, 8, 145 * mm, 114 * mm, f"第{page_no}页/共{len(pages)}页", BROWN)
        c.setLineWidth(0.8)
        c.rect(LEFT, 20 * mm, RIGHT - LEFT, 88 * mm, stroke=1, fill=0)
        c.line(105 * mm, 88 * mm, 105 * mm, 108 * mm)
        c.line(LEFT, 88 * mm, RIGHT, 88 * mm)
        _party(c, font, LEFT, "购买方信息", invoice.buyer_name, invoice.buyer_id)
        _party(c, font, 105 * mm, "销售方信息", invoice.seller_name, invoice.seller_id)
        for title_text, x, w, align in COLUMNS:
            anchor = (x + w - 1) * mm if align == "right" else (x + 1) * mm
            _text(c, font, 8, anchor, 84 * mm, title_text, BROWN, align)
        y = 79.5
        for line in chunk:
            cells = [line.item_name, line.specification, line.unit, _qty(line.quantity), _qty(line.unit_price),
                     _money(line.amount), format_rate(line.tax_rate), _money(line.tax)]
            for (_title, x, w, align), value in zip(COLUMNS, cells, strict=True):
                anchor = (x + w - 1) * mm if align == "right" else (x + 1) * mm
                _text(c, font, 7.5, anchor, y * mm, value, black, align, (w - 2) * mm)
            y -= 4.4
        c.line(LEFT, 36 * mm, RIGHT, 36 * mm)
        c.line(LEFT, 30 * mm, RIGHT, 30 * mm)
        c.line(LEFT, 25 * mm, RIGHT, 25 * mm)
        last = page_no == len(pages)
        _text(c, font, 9, 30 * mm, 31.8 * mm, "合        计", BROWN, "center")
        if last:
            _text(c, font, 9, 157 * mm, 31.8 * mm, f"¥{_money(invoice.amount)}", black, "right")
            _text(c, font, 9, 199 * mm, 31.8 * mm, f"¥{_money(invoice.tax)}", black, "right")
        _text(c, font, 9, 12 * mm, 26.5 * mm, "价税合计（大写）", BROWN)
        if last:
            _text(c, font, 9, 45 * mm, 26.5 * mm, f"⊗{to_capital(invoice.total)}")
            _text(c, font, 9, 150 * mm, 26.5 * mm, "（小写）", BROWN)
            _text(c, font, 9, 199 * mm, 26.5 * mm, f"¥{_money(invoice.total)}", black, "right")
        _text(c, font, 9, 12 * mm, 21.5 * mm, "备注", BROWN)
        _text(c, font, 8, 22 * mm, 21.5 * mm, invoice.remark, black, width=176 * mm)
        _text(c, font, 9, 12 * mm, 14 * mm, "开票人：", BROWN)
        _text(c, font, 9, 26 * mm, 14 * mm, invoice.issuer)
        _text(c, font, 6, LEFT, 8 * mm, f"SM2/SM3 签名密钥 {invoice.key_id}  摘要 {invoice.digest}", BROWN)
        _text(c, font, 6, LEFT, 5 * mm, "查验：扫描左上角二维码或访问平台“发票查验”页面，"
              "输入发票号码、开票日期和价税合计", BROWN)
        c.showPage()
    c.save()
    return buffer.getvalue()
