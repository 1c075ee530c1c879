"""E-invoice pages: issue (single and Excel batch), issued list, the tax digital account (inbox), invoice
detail with delivery, usage confirmation and red-letter actions, credit lines, the live monitor and
the public verification page. Views stay thin: every write is a service call."""

from __future__ import annotations

import csv
import io
import json
import secrets
from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhishui.core.decorators import capability_required
from zhishui.core.errors import ValidationFailure

from . import credit, excel, goods, idempotency, parties, pdfdoc, queries, services, verification, xmldoc
from .models import CreditAdjustment, Invoice, InvoiceState, RedLetterRequest

LINE_KEYS = ("goods_code", "name", "specification", "unit", "quantity", "unit_price", "amount", "tax_rate")


def _messages_of(request, exc: ValidationFailure) -> list[str]:
    zh = getattr(request, "LANGUAGE_CODE", "zh-hans").startswith("zh")
    return [f"{e.field}: {e.message_zh if zh else e.message_en}" for e in exc.errors]


def _error(request, exc: ValidationFailure) -> None:
    for text in _messages_of(request, exc):
        messages.error(request, text)


def _me(request) -> str:
    return request.user.taxpayer_id


# --- issue --------------------------------------------------------------------------------------------

def _form_data(post) -> dict:
    columns = {key: post.getlist(f"line_{key}") for key in LINE_KEYS}
    count = max((len(v) for v in columns.values()), default=0)
    lines = []
    for i in range(count):
        row = {key: (columns[key][i] if i < len(columns[key]) else "").strip() for key in LINE_KEYS}
        if any(row.values()):
            lines.append({k: v for k, v in row.items() if v != ""})
    return {"kind": post.get("kind", ""), "buyer": {"id": post.get("buyer_id", "").strip(),
                                                   "name": post.get("buyer_name", "").strip()},
            "remark": post.get("remark", "").strip(), "issuer": post.get("issuer", "").strip(), "lines": lines}


@capability_required("issue_invoices")
def issue(request):
    seller_id = _me(request)
    party = parties.lookup(seller_id) if seller_id else None
    data, errors = None, []
    if request.method == "POST":
        data = _form_data(request.POST)
        try:
            _status, receipt, _replayed = services.issue(
                seller_id=seller_id, data=data, actor=request.user, request=request, channel_name="web",
                idempotency_key=request.POST.get("idempotency_key") or None)
        except ValidationFailure as exc:
            errors = _messages_of(request, exc)
        except idempotency.InFlight:
            errors = [_("This invoice is still being issued; refresh in a moment.")]
        else:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": receipt["number"]})
            return redirect("invoicing:detail", number=receipt["number"])
    vat_status = party.vat_status if party else "general"
    summary = credit.summary(seller_id) if seller_id else None
    return render(request, "invoicing/issue.html", {
        "party": party, "data": data or {"kind": "special", "buyer": {}, "lines": [{}]},
        "errors": errors, "idempotency_key": secrets.token_urlsafe(18), "credit": summary,
        "catalogue": goods.catalogue(vat_status), "codes": sorted(goods.table().values(), key=lambda g: g.code)})


@capability_required("issue_invoices")
def batch(request):
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailure("file", "请选择要上传的Excel文件", "choose the Excel file to upload", None)
            invoices = excel.parse(upload.read(excel.MAX_BYTES + 1), upload.name or "")
            try:
                _status, result, _replayed = services.issue_batch(
                    seller_id=_me(request), invoices=invoices, actor=request.user, request=request,
                    idempotency_key=request.POST.get("idempotency_key") or None)
            except ValidationFailure as exc:
                raise excel.locate(exc, invoices) from exc
        except ValidationFailure as exc:
            _error(request, exc)
        except idempotency.InFlight:
            messages.error(request, _("This batch is still being issued; refresh in a moment."))
        else:
            messages.success(request, _("%(count)s invoices issued.") % {"count": result["count"]})
    return render(request, "invoicing/batch.html", {"result": result, "idempotency_key": secrets.token_urlsafe(18)})


def template_download(request):
    response = HttpResponse(excel.template(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="batch-invoice-template.xlsx"'
    return response


# --- lists ---------------------------------------------------------------------------------------------

FILTER_KEYS = ("q", "kind", "colour", "usage", "status", "from", "to")


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip() for k in FILTER_KEYS}


def _export(rows, name: str) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["发票号码", "票种", "蓝/红", "开票时间", "销售方识别号", "销售方名称", "购买方识别号",
                     "购买方名称", "金额", "税额", "价税合计", "状态", "用途", "所属期", "对应蓝字发票"])
    for inv in rows:
        state = inv.state
        writer.writerow([inv.number, inv.get_kind_display(), inv.get_colour_display(),
                         timezone.localtime(inv.issued_at).strftime("%Y-%m-%d %H:%M:%S"), inv.seller_id,
                         inv.seller_name, inv.buyer_id, inv.buyer_name, f"{inv.amount:.2f}", f"{inv.tax:.2f}",
                         f"{inv.total:.2f}", state.get_status_display(), state.get_usage_display(),
                         state.usage_period, inv.red_of_id or ""])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _list(request, qs, template: str, export_name: str):
    filters = _filters(request)
    qs = queries.filter_invoices(qs, filters).order_by("-issued_at", "-number")
    if request.GET.get("export") == "csv":
        return _export(qs[:50000], export_name)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, template, {"page": page, "filters": filters, "statuses": InvoiceState.STATUSES,
                                      "usages": InvoiceState.USAGES, "kinds": Invoice.KINDS})


@capability_required("issue_invoices")
def issued(request):
    return _list(request, queries.issued(_me(request)), "invoicing/issued.html", "issued-invoices")


@capability_required("issue_invoices")
def inbox(request):
    return _list(request, queries.received(_me(request)), "invoicing/inbox.html", "received-invoices")


# --- one invoice -----------------------------------------------------------------------------------------

def detail(request, number: str):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    inv = queries.readable_invoice(request, number)
    me = _me(request)
    forms = RedLetterRequest.objects.filter(blue=inv).order_by("-created_at")
    return render(request, "invoicing/detail.html", {
        "inv": inv, "state": inv.state, "lines": inv.lines.order_by("line_no")[:2000], "is_seller": me == inv.seller_id,
        "is_buyer": bool(me) and me == inv.buyer_id, "forms": forms, "reds": inv.reds.order_by("issued_at"),
        "current_period": timezone.localdate().strftime("%Y-%m"), "reasons": RedLetterRequest.REASONS,
        "link": request.session.pop(f"link-{inv.number}", "")})


def download(request, number: str, fmt: str):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    inv = queries.readable_invoice(request, number)
    return _file(request, inv, fmt, "account")


def _file(request, inv: Invoice, fmt: str, via: str, delivery=None) -> HttpResponse:
    if fmt not in ("pdf", "xml"):
        raise Http404
    body = pdfdoc.render(inv) if fmt == "pdf" else xmldoc.render(inv)
    services.record_download(inv, fmt, via=via, delivery=delivery,
                             actor=request.user if request.user.is_authenticated else None, request=request)
    response = HttpResponse(body, content_type="application/pdf" if fmt == "pdf" else "application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{inv.number}.{fmt}"'
    return response


def _act(request, number: str, fn, success: str, **kwargs):
    inv = queries.readable_invoice(request, number)
    try:
        fn(inv.number, actor=request.user, request=request, **kwargs)
    except ValidationFailure as exc:
        _error(request, exc)
    except services.NotFound as exc:
        raise Http404 from exc
    else:
        messages.success(request, success)
    return redirect(request.POST.get("next") or reverse("invoicing:detail", args=[inv.number]))


@require_POST
@capability_required("issue_invoices")
def confirm_usage(request, number: str):
    return _act(request, number, services.confirm_usage, _("Usage confirmed."), buyer_id=_me(request),
                purpose=request.POST.get("purpose", ""), period=request.POST.get("period") or None)


@require_POST
@capability_required("issue_invoices")
def revoke_usage(request, number: str):
    return _act(request, number, services.revoke_usage, _("Usage confirmation revoked."), buyer_id=_me(request))


@require_POST
@capability_required("issue_invoices")
def book(request, number: str):
    return _act(request, number, services.book, _("Marked as booked."), buyer_id=_me(request))


def _red_lines(post) -> tuple[bool, list | None]:
    if post.get("scope", "full") == "full":
        return True, None
    lines = []
    for key, value in post.items():
        if key.startswith("red_amount_") and value.strip():
            lines.append({"line_no": key.removeprefix("red_amount_"), "amount": value.strip()})
    return False, lines


@require_POST
@capability_required("issue_invoices")
def red_letter(request, number: str):
    full, lines = _red_lines(request.POST)
    return _act(request, number, services.request_red_letter, _("Red-letter form raised."), taxpayer_id=_me(request),
                reason=request.POST.get("reason", ""), full=full, lines=lines)


@require_POST
@capability_required("issue_invoices")
def create_link(request, number: str):
    inv = queries.readable_invoice(request, number)
    if inv.seller_id != _me(request):
        raise Http404
    _delivery, token = services.create_link(inv, actor=request.user, request=request)
    request.session[f"link-{inv.number}"] = request.build_absolute_uri(reverse("invoicing:link", args=[token]))
    messages.success(request, _("Download link created (valid 30 days)."))
    return redirect("invoicing:detail", number=inv.number)


def link(request, token: str):
    try:
        delivery = services.delivery_for_token(token)
    except services.NotFound as exc:
        raise Http404 from exc
    return render(request, "invoicing/link.html", {"inv": delivery.invoice, "token": token, "delivery": delivery})


def link_file(request, token: str, fmt: str):
    try:
        delivery = services.delivery_for_token(token)
    except services.NotFound as exc:
        raise Http404 from exc
    return _file(request, delivery.invoice, fmt, "link", delivery)


# --- red-letter forms ------------------------------------------------------------------------------------

@capability_required("issue_invoices")
def red_list(request):
    me = _me(request)
    services.expire_red_requests()
    forms = (RedLetterRequest.objects.filter(Q(seller_id=me) | Q(buyer_id=me)).select_related("blue")
             .order_by("-created_at"))
    page = Paginator(forms, 50).get_page(request.GET.get("page"))
    return render(request, "invoicing/red_list.html", {"page": page, "me": me})


@require_POST
@capability_required("issue_invoices")
def red_decide(request, form_no: str, action: str):
    me = _me(request)
    try:
        if action == "withdraw":
            services.withdraw_red_letter(form_no, taxpayer_id=me, actor=request.user, request=request)
        else:
            services.decide_red_letter(form_no, taxpayer_id=me, accept=action == "confirm",
                                       note=request.POST.get("note", ""), actor=request.user, request=request)
    except ValidationFailure as exc:
        _error(request, exc)
    except services.NotFound as exc:
        raise Http404 from exc
    else:
        messages.success(request, {"confirm": _("Form confirmed; the red invoice was issued."),
                                   "reject": _("Form rejected."), "withdraw": _("Form withdrawn.")}[action])
    return redirect("invoicing:red_list")


# --- credit lines ----------------------------------------------------------------------------------------

@capability_required("issue_invoices")
def my_credit(request):
    me = _me(request)
    return render(request, "invoicing/my_credit.html", {
        "summary": credit.summary(me), "history": CreditAdjustment.objects.filter(taxpayer_id=me)[:100]})


@capability_required("manage_credit_lines")
def credit_lines(request):
    taxpayer_id = (request.GET.get("taxpayer_id") or request.POST.get("taxpayer_id") or "").strip().upper()
    if request.method == "POST" and taxpayer_id:
        until = request.POST.get("valid_until") or None
        try:
            valid_until = date.fromisoformat(until) if until else None
            credit.adjust(taxpayer_id, kind=request.POST.get("kind", ""), amount=request.POST.get("amount", ""),
                          reason=request.POST.get("reason", ""), valid_until=valid_until, source="staff",
                          actor=request.user, request=request)
        except ValidationFailure as exc:
            _error(request, exc)
        except ValueError:
            messages.error(request, _("The end date must be YYYY-MM-DD."))
        else:
            messages.success(request, _("Credit line changed."))
            return redirect(f"{reverse('invoicing:credit_lines')}?taxpayer_id={taxpayer_id}")
    party = parties.lookup(taxpayer_id) if taxpayer_id else None
    recent = CreditAdjustment.objects.order_by("-at")[:30] if not taxpayer_id else []
    return render(request, "invoicing/credit_lines.html", {
        "taxpayer_id": taxpayer_id, "party": party, "summary": credit.summary(taxpayer_id) if taxpayer_id else None,
        "history": CreditAdjustment.objects.filter(taxpayer_id=taxpayer_id)[:100] if taxpayer_id else [],
        "recent": recent, "kinds": CreditAdjustment.KINDS[1:],
        "default_until": (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=1)
        - timedelta(days=1)})


# --- monitor ---------------------------------------------------------------------------------------------

@capability_required("monitor_invoicing")
def monitor(request):
    return render(request, "invoicing/monitor.html", {"activity": _activity_named()})


def _activity_named() -> dict:
    from zhishui.core.errors import ValidationFailure as BadRegion
    from zhishui.core.regions import resolve

    data = queries.activity()
    for street in data["streets"]:
        try:
            street["name"] = resolve(street["region"]).name if street["region"] else "—"
        except BadRegion:
            street["name"] = street["region"]
    return data


@capability_required("monitor_invoicing")
def monitor_data(request):
    return render(request, "invoicing/_monitor_data.html", {"activity": _activity_named()})


# --- public verification -----------------------------------------------------------------------------------

def _verify_and_log(request, method: str, fn, *args):
    client = verification.client_key(request)
    if verification.rate_limited(client):
        return None, [_("Too many verifications from your address; try again in a minute.")], 429
    try:
        report = fn(*args)
    except ValidationFailure as exc:
        verification.log(method, client, None, "rejected")
        return None, _messages_of(request, exc), 400
    verification.log(method, client, report)
    return report, [], 200


def verify(request):
    report, errors, status = None, [], 200
    form = {"number": "", "date": "", "total": "", "qr": ""}
    if request.method == "POST":
        mode = request.POST.get("mode", "number")
        form.update({k: request.POST.get(k, "").strip() for k in form})
        if mode == "file":
            upload = request.FILES.get("file")
            if upload is None:
                errors, status = [_("Choose an XML or OFD file.")], 400
            else:
                data = upload.read(verification.MAX_UPLOAD + 1)
                report, errors, status = _verify_and_log(request, "ofd" if data.startswith(b"PK") else "xml",
                                                         verification.verify_file, upload.name or "", data)
        elif mode == "qr":
            report, errors, status = _verify_and_log(request, "qr", verification.verify_qr, form["qr"])
        else:
            report, errors, status = _verify_and_log(request, "number", verification.verify_number, form["number"],
                                                     form["date"], form["total"])
    return render(request, "invoicing/verify.html", {"report": report, "errors": errors, "form": form},
                  status=status)


def verify_qr_link(request):
    report, errors, status = _verify_and_log(request, "qr", verification.verify_qr, request.GET.get("c", ""))
    return render(request, "invoicing/verify.html", {"report": report, "errors": errors,
                                                     "form": {"qr": request.GET.get("c", "")}}, status=status)


def activity_json(request):
    if not request.user.is_authenticated or not request.user.has_perm("core.monitor_invoicing"):
        raise Http404
    return HttpResponse(json.dumps(_activity_named(), ensure_ascii=False), content_type="application/json")
