"""The invoice as XML in the 数电票 ``EInvoice`` structure, and the parser for uploaded invoice XML.

Written: ``EInvoice`` with ``Header`` (``EIid``, ``EInvoiceTag``, ``Version``, ``InherentLabel``),
``EInvoiceData`` (``SellerInformation``, ``BuyerInformation``, ``BasicInformation``, one
``IssuItemInformation`` per line, ``SpecificInformation``, ``AdditionalInformation``) and
``TaxSupervisionInfo`` — the element names of the fully digitalised e-invoice's XML as it appears in
public samples. Two extensions of ours carry what verification needs: ``SpecificInformation/RedEInvoice``
(for red invoices: the blue number and the red-letter form) and ``TaxSupervisionInfo/SignatureInformation``
(key id, SM3 digest, SM2 signature, previous digest of the ledger).

Read: the same structure (ours or another platform's), and the older electronic invoice of the
2019 schema (``eInvoice`` in namespace ``http://www.edrm.org.cn/schema/e-invoice/2019``) that OFD
invoices embed as ``original_invoice.xml``. Parsing goes through defusedxml: DTDs, entities and
external references are refused.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # builds documents only; parsing goes through defusedxml
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.utils import timezone

from zhishui.core.errors import ValidationFailure
from zhishui.core.money import to_capital

from .canonical import SHANGHAI, decimal_text, money_text
from .documents import KINDS_BY_CODE, TITLES, TYPE_CODES, tax_bureau

NS_2019 = "http://www.edrm.org.cn/schema/e-invoice/2019"
MAX_XML_BYTES = 8 * 1024 * 1024


def _sub(parent: ET.Element, tag: str, text: object = None) -> ET.Element:
    node = ET.SubElement(parent, tag)
    if text is not None:
        node.text = str(text)
    return node


def _label(parent: ET.Element, tag: str, code: str, name: str) -> None:
    node = _sub(parent, tag)
    _sub(node, "LabelCode", code)
    _sub(node, "LabelName", name)


def render(invoice, lines=None) -> bytes:
    """The issued invoice as EInvoice XML (UTF-8)."""
    lines = lines if lines is not None else list(invoice.lines.order_by("line_no"))
    bureau_code, bureau_name = tax_bureau()
    root = ET.Element("EInvoice")
    header = _sub(root, "Header")
    _sub(header, "EIid", invoice.number)
    _sub(header, "EInvoiceTag", f"SWEI{invoice.number[2:4]}00")
    _sub(header, "Version", "0.1")
    labels = _sub(header, "InherentLabel")
    _label(labels, "EInvoiceType", TYPE_CODES[invoice.kind], TITLES[invoice.kind])
    _label(labels, "TaxpayerType", "01" if invoice.seller_vat_status == "general" else "02",
           "一般纳税人" if invoice.seller_vat_status == "general" else "小规模纳税人")
    data = _sub(root, "EInvoiceData")
    seller = _sub(data, "SellerInformation")
    _sub(seller, "SellerIdNum", invoice.seller_id)
    _sub(seller, "SellerName", invoice.seller_name)
    buyer = _sub(data, "BuyerInformation")
    _sub(buyer, "BuyerIdNum", invoice.buyer_id)
    _sub(buyer, "BuyerName", invoice.buyer_name)
    basic = _sub(data, "BasicInformation")
    _sub(basic, "TotalAmWithoutTax", money_text(invoice.amount))
    _sub(basic, "TotalTaxAm", money_text(invoice.tax))
    _sub(basic, "TotalTax-includedAmount", money_text(invoice.total))
    _sub(basic, "TotalTax-includedAmountInChinese", to_capital(invoice.total))
    _sub(basic, "Drawer", invoice.issuer)
    issued = timezone.localtime(invoice.issued_at, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    _sub(basic, "RequestTime", issued)
    for line in lines:
        item = _sub(data, "IssuItemInformation")
        _sub(item, "ItemName", line.item_name)
        _sub(item, "SpecMod", line.specification)
        _sub(item, "MeaUnits", line.unit)
        _sub(item, "Quantity", decimal_text(line.quantity))
        _sub(item, "UnPrice", decimal_text(line.unit_price))
        _sub(item, "Amount", money_text(line.amount))
        _sub(item, "TaxRate", decimal_text(line.tax_rate))
        _sub(item, "ComTaxAm", money_text(line.tax))
        _sub(item, "TotaltaxIncludedAmount", money_text(line.amount + line.tax))
        _sub(item, "TaxClassificationCode", line.goods_code)
        if line.red_of_line:
            _sub(item, "OriginalLineNumber", line.red_of_line)
    specific = _sub(data, "SpecificInformation")
    if invoice.red_of_id:
        red = _sub(specific, "RedEInvoice")
        _sub(red, "OriginalInvoiceNumber", invoice.red_of_id)
        _sub(red, "RedInvoiceFormNumber", invoice.red_form_no)
    extra = _sub(data, "AdditionalInformation")
    _sub(extra, "Remark", invoice.remark)
    supervision = _sub(root, "TaxSupervisionInfo")
    _sub(supervision, "InvoiceNumber", invoice.number)
    _sub(supervision, "IssueTime", issued)
    _sub(supervision, "TaxBureauCode", bureau_code)
    _sub(supervision, "TaxBureauName", bureau_name)
    sig = _sub(supervision, "SignatureInformation")
    _sub(sig, "KeyId", invoice.key_id)
    _sub(sig, "DigestMethod", "SM3")
    _sub(sig, "DigestValue", invoice.digest)
    _sub(sig, "SignatureMethod", "SM2-with-SM3")
    _sub(sig, "SignatureValue", invoice.signature)
    _sub(sig, "PreviousDigest", invoice.prev_hash)
    ET.indent(root, space="  ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


# --- parsing -----------------------------------------------------------------------------------------

@dataclass
class ParsedInvoice:
    schema: str  # "einvoice" (数电票 EInvoice) or "einvoice-2019" (OFD original_invoice.xml)
    number: str
    kind: str = ""
    colour: str = "blue"
    issued_at: datetime | None = None
    issue_date: date | None = None
    invoice_code: str = ""  # 2019 schema: 发票代码
    check_code: str = ""  # 2019 schema: 校验码
    seller_id: str = ""
    seller_name: str = ""
    buyer_id: str = ""
    buyer_name: str = ""
    amount: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal | None = None
    remark: str = ""
    issuer: str = ""
    red_of: str = ""
    red_form_no: str = ""
    lines: list[dict] = field(default_factory=list)
    key_id: str = ""
    digest: str = ""
    signature: str = ""
    prev_hash: str = ""
    embedded_signature: str = ""  # 2019 schema: fp:Signature (PKCS#7, detached)

    def header(self) -> dict:
        return {"number": self.number, "kind": self.kind, "colour": self.colour, "issued_at": self.issued_at,
                "seller_id": self.seller_id, "seller_name": self.seller_name, "buyer_id": self.buyer_id,
                "buyer_name": self.buyer_name, "amount": self.amount, "tax": self.tax, "total": self.total,
                "remark": self.remark, "issuer": self.issuer, "red_of": self.red_of,
                "red_form_no": self.red_form_no, "key_id": self.key_id, "prev_hash": self.prev_hash}


def _bad(message_zh: str, message_en: str, value: object = None) -> ValidationFailure:
    return ValidationFailure("file", message_zh, message_en, value, code="bad_file")


def load(data: bytes):
    """Parse XML bytes safely; refuse DTDs, entities and external references."""
    if len(data) > MAX_XML_BYTES:
        raise _bad(f"XML文件超过{MAX_XML_BYTES // 1024 // 1024}MB", "the XML file is too large")
    try:
        return safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise _bad("XML含有DTD、实体声明或外部引用，出于安全原因拒绝处理",
                   "the XML contains a DTD, entity declarations or external references and is refused") from exc
    except (ParseError, ValueError) as exc:
        raise _bad(f"XML格式不正确：{exc}", f"malformed XML: {exc}") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node, *path: str):
    for name in path:
        if node is None:
            return None
        node = next((child for child in node if _local(child.tag) == name), None)
    return node


def _text(node, *path: str) -> str:
    found = _find(node, *path)
    return (found.text or "") if found is not None else ""


def _required(node, *path: str) -> str:
    found = _find(node, *path)
    if found is None:
        raise _bad(f"XML缺少元素 {'/'.join(path)}", f"the XML lacks the element {'/'.join(path)}")
    return found.text or ""


def _money(text: str, where: str) -> Decimal:
    text = text.strip().replace(",", "")
    if not re.fullmatch(r"-?\d{1,16}(\.\d{1,2})?", text):
        raise _bad(f"{where} 不是有效金额：“{text[:40]}”", f"{where} is not a valid amount: {text[:40]!r}")
    return Decimal(text).quantize(Decimal("0.01"))


def _decimal(text: str, where: str) -> Decimal | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise _bad(f"{where} 不是有效数字", f"{where} is not a number") from exc
    if not value.is_finite():
        raise _bad(f"{where} 不是有效数字", f"{where} is not a number")
    return value


def _rate(text: str, where: str) -> Decimal:
    text = text.strip()
    if text.endswith("%"):
        value = _decimal(text[:-1], where)
        value = value / 100 if value is not None else None
    else:
        value = _decimal(text, where)
    if value is None or not Decimal(0) <= value < 1:
        raise _bad(f"{where} 不是有效税率", f"{where} is not a valid rate")
    return value.normalize() if value else Decimal(0)


def _time(text: str, where: str) -> datetime:
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text[:19], fmt).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise _bad(f"{where} 不是有效时间：“{text[:40]}”", f"{where} is not a valid time") from exc
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


def _parse_einvoice(root) -> ParsedInvoice:
    data = _find(root, "EInvoiceData")
    if data is None:
        raise _bad("XML缺少元素 EInvoiceData", "the XML lacks the element EInvoiceData")
    number = _text(root, "TaxSupervisionInfo", "InvoiceNumber") or _text(root, "Header", "EIid")
    if not number:
        raise _bad("XML缺少发票号码（TaxSupervisionInfo/InvoiceNumber）", "the XML lacks the invoice number")
    type_code = _text(root, "Header", "InherentLabel", "EInvoiceType", "LabelCode").strip()
    label = _text(root, "Header", "InherentLabel", "EInvoiceType", "LabelName")
    kind = KINDS_BY_CODE.get(type_code) or ("special" if "专用" in label else "ordinary" if label else "")
    time_text = _text(data, "BasicInformation", "RequestTime") or _text(root, "TaxSupervisionInfo", "IssueTime")
    issued_at = _time(time_text, "RequestTime") if time_text else None
    parsed = ParsedInvoice(
        schema="einvoice", number=number.strip(), kind=kind, issued_at=issued_at,
        issue_date=issued_at.date() if issued_at else None,
        seller_id=_text(data, "SellerInformation", "SellerIdNum"),
        seller_name=_text(data, "SellerInformation", "SellerName"),
        buyer_id=_text(data, "BuyerInformation", "BuyerIdNum"),
        buyer_name=_text(data, "BuyerInformation", "BuyerName"),
        amount=_money(_required(data, "BasicInformation", "TotalAmWithoutTax"), "TotalAmWithoutTax"),
        tax=_money(_required(data, "BasicInformation", "TotalTaxAm"), "TotalTaxAm"),
        total=_money(_required(data, "BasicInformation", "TotalTax-includedAmount"), "TotalTax-includedAmount"),
        remark=_text(data, "AdditionalInformation", "Remark"),
        issuer=_text(data, "BasicInformation", "Drawer"),
        red_of=_text(data, "SpecificInformation", "RedEInvoice", "OriginalInvoiceNumber"),
        red_form_no=_text(data, "SpecificInformation", "RedEInvoice", "RedInvoiceFormNumber"),
        key_id=_text(root, "TaxSupervisionInfo", "SignatureInformation", "KeyId"),
        digest=_text(root, "TaxSupervisionInfo", "SignatureInformation", "DigestValue").strip().lower(),
        signature=_text(root, "TaxSupervisionInfo", "SignatureInformation", "SignatureValue").strip().lower(),
        prev_hash=_text(root, "TaxSupervisionInfo", "SignatureInformation", "PreviousDigest").strip().lower(),
    )
    parsed.colour = "red" if parsed.red_of else "blue"
    items = [child for child in data if _local(child.tag) == "IssuItemInformation"]
    for i, item in enumerate(items, 1):
        where = f"IssuItemInformation[{i}]"
        original = _text(item, "OriginalLineNumber").strip()
        parsed.lines.append({
            "line_no": i,
            "goods_code": _text(item, "TaxClassificationCode").strip(),
            "item_name": _text(item, "ItemName"),
            "specification": _text(item, "SpecMod"),
            "unit": _text(item, "MeaUnits"),
            "quantity": _decimal(_text(item, "Quantity"), f"{where}/Quantity"),
            "unit_price": _decimal(_text(item, "UnPrice"), f"{where}/UnPrice"),
            "amount": _money(_required(item, "Amount"), f"{where}/Amount"),
            "tax_rate": _rate(_required(item, "TaxRate"), f"{where}/TaxRate"),
            "tax": _money(_required(item, "ComTaxAm"), f"{where}/ComTaxAm"),
            "red_of_line": int(original) if original.isdigit() else None,
        })
    return parsed


def _parse_2019(root) -> ParsedInvoice:
    number = _required(root, "InvoiceNo").strip()
    issue = _text(root, "IssueDate").strip()
    issue_date = None
    match = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", issue) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", issue)
    if match:
        issue_date = date(int(match[1]), int(match[2]), int(match[3]))
    parsed = ParsedInvoice(
        schema="einvoice-2019", number=number, kind="ordinary" if _text(root, "TypeCode").strip() in {"0", ""}
        else "special", issue_date=issue_date, invoice_code=_text(root, "InvoiceCode").strip(),
        check_code=_text(root, "InvoiceCheckCode").strip(),
        seller_id=_text(root, "Seller", "SellerTaxID").strip(), seller_name=_text(root, "Seller", "SellerName").strip(),
        buyer_id=_text(root, "Buyer", "BuyerTaxID").strip(), buyer_name=_text(root, "Buyer", "BuyerName").strip(),
        amount=_money(_required(root, "TaxExclusiveTotalAmount"), "TaxExclusiveTotalAmount"),
        tax=_money(_required(root, "TaxTotalAmount"), "TaxTotalAmount"),
        total=_money(_required(root, "TaxInclusiveTotalAmount"), "TaxInclusiveTotalAmount"),
        remark=_text(root, "Note").strip(), issuer=_text(root, "InvoiceClerk").strip(),
        embedded_signature=_text(root, "Signature").strip())
    goods = _find(root, "GoodsInfos")
    for i, item in enumerate(list(goods) if goods is not None else [], 1):
        where = f"GoodsInfo[{i}]"
        parsed.lines.append({
            "line_no": i, "goods_code": "", "item_name": _text(item, "Item").strip(),
            "specification": _text(item, "Specification").strip(),
            "unit": _text(item, "MeasurementDimension").strip(),
            "quantity": _decimal(_text(item, "Quantity"), f"{where}/Quantity"),
            "unit_price": _decimal(_text(item, "Price"), f"{where}/Price"),
            "amount": _money(_required(item, "Amount"), f"{where}/Amount"),
            "tax_rate": _rate(_required(item, "TaxScheme"), f"{where}/TaxScheme"),
            "tax": _money(_required(item, "TaxAmount"), f"{where}/TaxAmount"), "red_of_line": None})
    return parsed


def parse(data: bytes) -> ParsedInvoice:
    root = load(data)
    name = _local(root.tag)
    if name == "EInvoice":
        return _parse_einvoice(root)
    if name == "eInvoice" and (root.tag.startswith("{" + NS_2019) or _find(root, "InvoiceNo") is not None):
        return _parse_2019(root)
    raise _bad(f"不是电子发票XML（根元素为 {name}）", f"not an e-invoice XML (root element {name})")
