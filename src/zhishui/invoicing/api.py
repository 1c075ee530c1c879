"""The e-invoice API (/api/v1/invoicing/…): issue, list, download, deliver, confirm, red-letter, credit
lines, and the public verification endpoints (no login, rate-limited per client)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from zhishui.core import access, audit
from zhishui.core.errors import ValidationFailure

from . import credit, excel, idempotency, pdfdoc, queries, services, signing, verification, xmldoc
from .models import Invoice, InvoiceEvent, RedLetterRequest

router = Router(tags=["invoicing"])


def _json(data, status: int = 200, **headers) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _error(status: int, code: str, zh: str, en: str) -> JsonResponse:
    return _json({"code": code, "message_zh": zh, "message_en": en, "errors": []}, status)


IN_FLIGHT = (409, "idempotency_in_flight", "使用同一幂等键的请求仍在处理中，请稍后重试",
             "a request with the same idempotency key is still being processed; retry later")


def _seller(request) -> str:
    user = request.user
    if not user.has_perm("core.issue_invoices"):
        audit.record("access.denied", request=request, object_type="api", object_id=request.path, outcome="denied")
        raise PermissionDenied
    if not user.taxpayer_id:
        raise ValidationFailure("seller_id", "当前账号未绑定纳税人", "this account is not bound to a taxpayer", "",
                                code="not_bound")
    return user.taxpayer_id


def _run(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except services.NotFound as exc:
        raise Http404 from exc


# --- schemas -------------------------------------------------------------------------------------------

class BuyerIn(Schema):
    id: str = Field("", max_length=20, description="纳税人识别号 / taxpayer identifier (empty for consumers)")
    name: str = Field(..., max_length=200)


class LineIn(Schema):
    goods_code: str = Field(..., description="19位税收分类编码 / tax classification code")
    name: str = Field("", max_length=200)
    specification: str = Field("", max_length=100)
    unit: str = Field("", max_length=20)
    quantity: str | None = Field(None, description="十进制字符串 / decimal string")
    unit_price: str | None = None
    amount: str = Field(..., description="金额（不含税），元，两位小数 / amount excl. VAT")
    tax_rate: str = Field(..., description="0.13、13% …")
    tax: str | None = Field(None, description="可选；与金额×税率相差不超过0.06 / optional, within 0.06")


class InvoiceIn(Schema):
    kind: str = Field(..., description="special（增值税专用发票）或 ordinary（普通发票）")
    buyer: BuyerIn
    lines: list[LineIn]
    remark: str = Field("", max_length=500)
    issuer: str = Field("", max_length=50)


class BatchIn(Schema):
    invoices: list[InvoiceIn]


class ReceiptOut(Schema):
    number: str
    issued_at: str
    kind: str
    colour: str
    seller_id: str
    buyer_id: str
    buyer_name: str
    amount: str
    tax: str
    total: str
    lines: int
    red_of: str
    digest: str
    digest_algorithm: str
    signature: str
    signature_algorithm: str
    key_id: str
    prev_hash: str
    qr: str


def _payload(schema: Schema) -> dict:
    return schema.dict()


def _issue_response(result) -> JsonResponse:
    status, body, replayed = result
    return _json(body, status, Idempotent_Replayed="true" if replayed else "false")


@router.post("/invoicing/invoices", response={201: ReceiptOut},
             summary="开具发票 / issue an invoice (Idempotency-Key supported)")
def issue(request, payload: InvoiceIn):
    seller = _seller(request)
    try:
        return _issue_response(services.issue(
            seller_id=seller, data=_payload(payload), actor=request.user, request=request, channel_name="api",
            idempotency_key=request.headers.get("Idempotency-Key")))
    except idempotency.InFlight:
        return _error(*IN_FLIGHT)


@router.post("/invoicing/invoices/batch", summary="批量开具 / issue several invoices atomically")
def issue_batch(request, payload: BatchIn):
    seller = _seller(request)
    try:
        return _issue_response(services.issue_batch(
            seller_id=seller, invoices=[_payload(i) for i in payload.invoices], actor=request.user, request=request,
            idempotency_key=request.headers.get("Idempotency-Key")))
    except idempotency.InFlight:
        return _error(*IN_FLIGHT)


@router.post("/invoicing/invoices/batch/excel", summary="按Excel模板批量开具 / batch issue from the Excel template")
def issue_excel(request, file: UploadedFile = File(...)):  # noqa: B008 - ninja's file marker
    seller = _seller(request)
    invoices = excel.parse(file.read(excel.MAX_BYTES + 1), file.name or "")
    try:
        return _issue_response(services.issue_batch(
            seller_id=seller, invoices=invoices, actor=request.user, request=request,
            idempotency_key=request.headers.get("Idempotency-Key")))
    except idempotency.InFlight:
        return _error(*IN_FLIGHT)
    except ValidationFailure as exc:
        raise excel.locate(exc, invoices) from exc


@router.get("/invoicing/template.xlsx", summary="批量开具模板 / the batch template", auth=None)
def template(request):
    response = HttpResponse(excel.template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="batch-invoice-template.xlsx"'
    return response


def _row(inv: Invoice) -> dict:
    state = getattr(inv, "state", None)
    return {"number": inv.number, "kind": inv.kind, "colour": inv.colour,
            "issued_at": timezone.localtime(inv.issued_at).isoformat(), "seller_id": inv.seller_id,
            "seller_name": inv.seller_name, "buyer_id": inv.buyer_id, "buyer_name": inv.buyer_name,
            "amount": f"{inv.amount:.2f}", "tax": f"{inv.tax:.2f}", "total": f"{inv.total:.2f}",
            "red_of": inv.red_of_id or "", "status": state.status if state else "",
            "usage": state.usage if state else "", "usage_period": state.usage_period if state else "",
            "booked": bool(state and state.booked_at)}


@router.get("/invoicing/invoices", summary="发票列表 / list issued or received invoices")
def list_invoices(request, role: str = "received", q: str = "", kind: str = "", colour: str = "", usage: str = "",
                  status: str = "", date_from: str = Query("", alias="from"), date_to: str = Query("", alias="to"),
                  seller_id: str = "", limit: int = 50, offset: int = 0):
    user = request.user
    if user.taxpayer_id and not access.can_view_all(user):
        qs = queries.issued(user.taxpayer_id) if role == "issued" else queries.received(user.taxpayer_id)
    elif access.can_view_all(user):
        qs = Invoice.objects.select_related("state")
        if seller_id:
            qs = qs.filter(seller_id=seller_id)
    else:
        raise PermissionDenied
    qs = queries.filter_invoices(qs, {"q": q, "kind": kind, "colour": colour, "usage": usage, "status": status,
                                      "from": date_from, "to": date_to})
    limit = max(1, min(limit, 500))
    rows = list(qs.order_by("-issued_at", "-number")[offset:offset + limit])
    return _json({"count": len(rows), "offset": offset, "invoices": [_row(i) for i in rows]})


@router.get("/invoicing/invoices/{number}", summary="发票详情 / one invoice with its lines and state")
def detail(request, number: str):
    inv = queries.readable_invoice(request, number)
    data = _row(inv) | services.receipt(inv)
    data["lines"] = [{"line_no": ln.line_no, "goods_code": ln.goods_code, "item_name": ln.item_name,
                      "specification": ln.specification, "unit": ln.unit,
                      "quantity": str(ln.quantity.normalize()) if ln.quantity is not None else "",
                      "unit_price": str(ln.unit_price.normalize()) if ln.unit_price is not None else "",
                      "amount": f"{ln.amount:.2f}", "tax_rate": str(ln.tax_rate.normalize()), "tax": f"{ln.tax:.2f}"}
                     for ln in inv.lines.order_by("line_no")]
    data["red_invoices"] = list(inv.reds.values_list("number", flat=True))
    return _json(data)


def _download(request, inv: Invoice, fmt: str) -> HttpResponse:
    body = xmldoc.render(inv) if fmt == "xml" else pdfdoc.render(inv)
    services.record_download(inv, fmt, via="account", actor=request.user, request=request)
    response = HttpResponse(body, content_type="application/xml; charset=utf-8" if fmt == "xml" else
                            "application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{inv.number}.{fmt}"'
    return response


@router.get("/invoicing/invoices/{number}/xml", summary="下载XML / download the XML")
def download_xml(request, number: str):
    return _download(request, queries.readable_invoice(request, number), "xml")


@router.get("/invoicing/invoices/{number}/pdf", summary="下载PDF / download the PDF")
def download_pdf(request, number: str):
    return _download(request, queries.readable_invoice(request, number), "pdf")


class LinkIn(Schema):
    days: int = Field(30, ge=1, le=365)


@router.post("/invoicing/invoices/{number}/links", summary="生成下载链接（交付）/ deliver by download link")
def create_link(request, number: str, payload: LinkIn):
    seller = _seller(request)
    inv = queries.readable_invoice(request, number)
    if inv.seller_id != seller:
        raise ValidationFailure("number", "只有销售方可以生成交付链接", "only the seller may create a delivery link",
                                number, code="not_seller")
    delivery, token = services.create_link(inv, actor=request.user, request=request, days=payload.days)
    return _json({"url": request.build_absolute_uri(f"/invoicing/d/{token}/"),
                  "expires_at": timezone.localtime(delivery.expires_at).isoformat()}, 201)


class UsageIn(Schema):
    purpose: str = Field(..., description="deduct（用于抵扣）或 not_deduct（不抵扣）")
    period: str | None = Field(None, description="YYYY-MM，默认当期 / default: the current month")


@router.post("/invoicing/invoices/{number}/usage", summary="用途确认 / confirm usage (buyer)")
def confirm_usage(request, number: str, payload: UsageIn):
    inv = queries.readable_invoice(request, number)
    state = _run(services.confirm_usage, inv.number, buyer_id=_seller(request), purpose=payload.purpose,
                 period=payload.period, actor=request.user, request=request)
    return _json({"number": inv.number, "usage": state.usage, "period": state.usage_period})


@router.delete("/invoicing/invoices/{number}/usage", summary="撤销当期用途确认 / revoke (current period)")
def revoke_usage(request, number: str):
    inv = queries.readable_invoice(request, number)
    state = _run(services.revoke_usage, inv.number, buyer_id=_seller(request), actor=request.user, request=request)
    return _json({"number": inv.number, "usage": state.usage})


@router.post("/invoicing/invoices/{number}/book", summary="入账 / mark as booked (buyer)")
def book(request, number: str):
    inv = queries.readable_invoice(request, number)
    state = _run(services.book, inv.number, buyer_id=_seller(request), actor=request.user, request=request)
    return _json({"number": inv.number, "booked_at": timezone.localtime(state.booked_at).isoformat()})


class RedLineIn(Schema):
    line_no: int
    amount: str
    quantity: str | None = None


class ReverseIn(Schema):
    reason: str = Field("error", description="error / return / suspension / allowance")
    full: bool = True
    lines: list[RedLineIn] | None = None


def _red_lines(payload) -> list | None:
    return [ln.dict() for ln in payload.lines] if payload.lines else None


@router.post("/invoicing/invoices/{number}/reverse", summary="直接红冲（购买方未确认、未入账）/ reverse directly")
def reverse(request, number: str, payload: ReverseIn):
    inv = queries.readable_invoice(request, number)
    red = _run(services.reverse_directly, inv.number, seller_id=_seller(request), reason=payload.reason,
               full=payload.full, lines=_red_lines(payload), actor=request.user, request=request)
    return _json(services.receipt(red), 201)


class RedFormIn(ReverseIn):
    number: str = Field(..., description="蓝字发票号码 / the blue invoice")


def _form(req: RedLetterRequest) -> dict:
    return {"form_no": req.form_no, "blue": req.blue_id, "status": req.status, "raised_by": req.raised_by_party,
            "reason": req.reason, "full": req.full, "amount": f"{req.amount:.2f}", "tax": f"{req.tax:.2f}",
            "needs_confirmation": req.needs_confirmation,
            "created_at": timezone.localtime(req.created_at).isoformat(),
            "expires_at": timezone.localtime(req.expires_at).isoformat(),
            "red_invoice": req.red_invoice_id or ""}


@router.post("/invoicing/red-letter-forms", summary="填开红字发票信息确认单 / raise a red-letter form")
def raise_form(request, payload: RedFormIn):
    inv = queries.readable_invoice(request, payload.number)
    req = _run(services.request_red_letter, inv.number, taxpayer_id=_seller(request), reason=payload.reason,
               full=payload.full, lines=_red_lines(payload), actor=request.user, request=request)
    return _json(_form(req), 201)


@router.get("/invoicing/red-letter-forms", summary="红字发票信息确认单 / my red-letter forms")
def list_forms(request, status: str = ""):
    me = _seller(request)
    from django.db.models import Q

    qs = RedLetterRequest.objects.filter(Q(seller_id=me) | Q(buyer_id=me))
    if status:
        qs = qs.filter(status=status)
    return _json({"forms": [_form(r) for r in qs.order_by("-created_at")[:200]]})


class DecisionIn(Schema):
    note: str = Field("", max_length=300)


def _decide(request, form_no: str, accept: bool, payload: DecisionIn):
    req = _run(services.decide_red_letter, form_no, taxpayer_id=_seller(request), accept=accept, note=payload.note,
               actor=request.user, request=request)
    return _json(_form(req))


@router.post("/invoicing/red-letter-forms/{form_no}/confirm", summary="确认 / confirm (the other party)")
def confirm_form(request, form_no: str, payload: DecisionIn):
    return _decide(request, form_no, True, payload)


@router.post("/invoicing/red-letter-forms/{form_no}/reject", summary="拒绝 / reject (the other party)")
def reject_form(request, form_no: str, payload: DecisionIn):
    return _decide(request, form_no, False, payload)


@router.post("/invoicing/red-letter-forms/{form_no}/withdraw", summary="撤回 / withdraw (the raising party)")
def withdraw_form(request, form_no: str):
    req = _run(services.withdraw_red_letter, form_no, taxpayer_id=_seller(request), actor=request.user,
               request=request)
    return _json(_form(req))


def _credit(taxpayer_id: str) -> dict:
    summary = credit.summary(taxpayer_id)
    from .models import CreditAdjustment

    history = [{"at": timezone.localtime(a.at).isoformat(), "kind": a.kind, "source": a.source, "actor": a.actor,
                "before": f"{a.before:.2f}", "after": f"{a.after:.2f}", "amount": f"{a.amount:.2f}",
                "valid_until": a.valid_until.isoformat() if a.valid_until else None, "reason": a.reason,
                "rule": a.rule} for a in CreditAdjustment.objects.filter(taxpayer_id=taxpayer_id)[:100]]
    if summary is None:
        return {"taxpayer_id": taxpayer_id, "line": None, "history": history}
    return {"taxpayer_id": taxpayer_id, "month": summary.month, "base": f"{summary.base:.2f}",
            "temporary": f"{summary.temporary:.2f}", "limit": f"{summary.limit:.2f}", "used": f"{summary.used:.2f}",
            "remaining": f"{summary.remaining:.2f}", "history": history}


@router.get("/invoicing/credit-line", summary="本户发票总额度 / my invoice credit line")
def my_credit(request):
    return _json(_credit(_seller(request)))


@router.get("/invoicing/credit-lines/{taxpayer_id}", summary="纳税人发票总额度（工作人员）/ a taxpayer's line (staff)")
def credit_of(request, taxpayer_id: str):
    access.require_taxpayer(request, taxpayer_id)
    return _json(_credit(taxpayer_id))


class AdjustIn(Schema):
    kind: str = Field(..., description="permanent（长期）/ temporary（临时）")
    amount: str = Field(..., description="permanent: 新的月度额度; temporary: 增减额（可为负）")
    reason: str = Field(..., min_length=1, max_length=1000)
    valid_until: date | None = None


@router.post("/invoicing/credit-lines/{taxpayer_id}/adjust", summary="调整发票总额度 / adjust a credit line (staff)")
def adjust_credit(request, taxpayer_id: str, payload: AdjustIn):
    if not request.user.has_perm("core.manage_credit_lines"):
        audit.record("access.denied", request=request, object_type="api", object_id=request.path, outcome="denied")
        raise PermissionDenied
    credit.adjust(taxpayer_id, kind=payload.kind, amount=payload.amount, reason=payload.reason,
                  valid_until=payload.valid_until, source="staff", actor=request.user, request=request)
    return _json(_credit(taxpayer_id))


@router.get("/invoicing/deductions/{period}", summary="已确认抵扣的专票 / invoices confirmed for deduction")
def deductions(request, period: str):
    rows = queries.confirmed_for_deduction(_seller(request), period)
    return _json({"period": period, "invoices": [
        {"number": r.number, "colour": r.colour, "seller_id": r.seller_id, "seller_name": r.seller_name,
         "issued_at": timezone.localtime(r.issued_at).isoformat(), "amount": f"{r.amount:.2f}",
         "tax": f"{r.tax:.2f}", "red_of": r.red_of} for r in rows]})


@router.get("/invoicing/events", summary="发票事件（风险规则读取）/ invoice events after a cursor")
def events(request, after: int = 0, limit: int = 500):
    if not request.user.has_perm("core.monitor_invoicing"):
        raise PermissionDenied
    rows = InvoiceEvent.objects.filter(id__gt=after).order_by("id")[:max(1, min(limit, 5000))]
    return _json({"events": [{"id": e.id, "at": timezone.localtime(e.at).isoformat(), "kind": e.kind,
                              "invoice_number": e.invoice_number, "seller_id": e.seller_id, "buyer_id": e.buyer_id,
                              "region": e.region, "amount": str(e.amount) if e.amount is not None else None,
                              "tax": str(e.tax) if e.tax is not None else None, "detail": e.detail} for e in rows]})


@router.get("/invoicing/monitor", summary="开票实时监控 / issuing activity today (staff)")
def monitor(request):
    if not request.user.has_perm("core.monitor_invoicing"):
        raise PermissionDenied
    return _json(queries.activity())


# --- public ------------------------------------------------------------------------------------------------

@router.get("/invoicing/keys", auth=None, summary="平台签名公钥 / the platform's public keys")
def keys(request):
    return _json({"keys": signing.published_keys()})


@router.get("/invoicing/health", auth=None, summary="服务状态 / service status")
def health(request):
    return _json({"ok": True})


def _verify(request, method: str, fn, *args):
    client = verification.client_key(request)
    if verification.rate_limited(client):
        return _error(429, "rate_limited", "查验过于频繁，请稍后再试", "too many verifications; try again later")
    try:
        report = fn(*args)
    except ValidationFailure:
        verification.log(method, client, None, "rejected")
        raise
    verification.log(method, client, report)
    return _json(report.as_dict())


class VerifyIn(Schema):
    number: str = Field(..., description="20位发票号码")
    date: str = Field(..., description="开票日期 YYYY-MM-DD")
    total: str = Field(..., description="价税合计 / total incl. VAT")


@router.post("/invoicing/verify", auth=None, summary="发票查验（号码+日期+价税合计）/ verify an invoice")
def verify(request, payload: VerifyIn):
    return _verify(request, "number", verification.verify_number, payload.number, payload.date, payload.total)


class QrIn(Schema):
    qr: str = Field(..., max_length=2000)


@router.post("/invoicing/verify/qr", auth=None, summary="扫码查验 / verify by the QR code content")
def verify_qr(request, payload: QrIn):
    return _verify(request, "qr", verification.verify_qr, payload.qr)


@router.post("/invoicing/verify/file", auth=None, summary="上传XML或OFD查验 / verify an uploaded XML or OFD")
def verify_file(request, file: UploadedFile = File(...)):  # noqa: B008 - ninja's file marker
    data = file.read(verification.MAX_UPLOAD + 1)
    method = "ofd" if data.startswith(b"PK") else "xml"
    return _verify(request, method, verification.verify_file, file.name or "", data)

