"""Returns over the API: to-do, proposals (pre-fill), cells, traces, filing, payment, correction,
the filing calendar and the staff lists."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from ninja import Body, Router, Schema

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, parse_period

from . import calendar, followup, present, services
from .models import Return

router = Router(tags=["filing"])


class ProposalIn(Schema):
    form: str = ""
    period: str
    taxpayer_id: str = ""


class CellIn(Schema):
    cell: str
    value: str
    reason: str = ""


class FileIn(Schema):
    cells: dict[str, str] = {}
    reasons: dict[str, str] = {}


class PayIn(Schema):
    channel: str = "demo-bank"


class CorrectIn(Schema):
    reason: str = ""


def _english(request) -> bool:
    return getattr(request, "LANGUAGE_CODE", "zh-hans").startswith("en")


def _filer_taxpayer(request, taxpayer_id: str) -> str:
    user = request.user
    if not user.has_perm("core.file_returns") or not user.taxpayer_id:
        raise PermissionDenied
    if taxpayer_id and taxpayer_id != user.taxpayer_id:
        raise ValidationFailure("taxpayer_id", "不能为其他纳税人申报", "you cannot file for another taxpayer",
                                taxpayer_id, code="forbidden")
    return user.taxpayer_id


def _staff(request) -> None:
    if not request.user.has_perm("core.view_filing_status"):
        raise PermissionDenied


@router.get("/filing/todo", summary="待办事项 / the taxpayer's to-do list")
def todo(request):
    tid = _filer_taxpayer(request, "")
    items = followup.todo(tid, services.today())
    return [{"kind": i["kind"], "form": i["form"], "period": i["period"],
             "due_on": i["due_on"].isoformat() if i["due_on"] else None, "overdue": i["overdue"],
             "return_id": i["ret"].pk if i["ret"] else None,
             "amount": f"{i['amount']:.2f}" if "amount" in i else None} for i in items]


@router.get("/filing/returns", summary="申报表列表（我的申报）/ returns visible to you")
def returns(request, period: str = "", form: str = "", status: str = ""):
    qs = present.visible_returns(request.user)
    if period:
        qs = qs.filter(period=str(parse_period(period)))
    if form:
        qs = qs.filter(form=form)
    if status:
        qs = qs.filter(status=status)
    return [{"id": r.pk, "taxpayer_id": r.taxpayer_id, "form": r.form, "period": r.period, "revision": r.revision,
             "status": r.status, "payable": f"{r.payable:.2f}",
             "filed_at": r.filed_at.isoformat() if r.filed_at else None}
            for r in qs.order_by("-period", "form", "-revision")[:500]]


@router.post("/filing/returns", summary="生成或刷新预填申报表 / create or refresh the pre-filled return")
def propose(request, data: ProposalIn):
    tid = _filer_taxpayer(request, data.taxpayer_id)
    code = data.form
    if not code:
        profile = services._require_profile(tid)
        code = services.vat_form_for(profile)
    ret = services.prefill_return(tid, code, data.period, request=request)
    return present.return_data(ret, english=_english(request))


@router.get("/filing/returns/{ret_id}", summary="申报表 / a return with its cells")
def get_return(request, ret_id: int):
    return present.return_data(present.get_return(request, ret_id), english=_english(request))


@router.get("/filing/returns/{ret_id}/trace/{cell}", summary="栏次来源 / how a cell was derived")
def trace(request, ret_id: int, cell: str):
    return present.trace(present.get_return(request, ret_id), cell)


@router.post("/filing/returns/{ret_id}/cells", summary="修改栏次 / change one cell")
def change(request, ret_id: int, data: CellIn):
    ret = present.get_return(request, ret_id)
    ret = services.change_cell(ret, data.cell, data.value, data.reason, request=request)
    return present.return_data(ret, english=_english(request))


@router.post("/filing/returns/{ret_id}/check", summary="表内表间校验 / run the checks without filing")
def run_checks(request, ret_id: int, data: FileIn = Body(FileIn())):  # noqa: B008 - ninja's body marker
    ret = present.get_return(request, ret_id)
    errors, warnings = services.check(ret, data.cells)
    return {"errors": errors, "warnings": warnings}


@router.post("/filing/returns/{ret_id}/file", summary="申报 / file the return")
def file(request, ret_id: int, data: FileIn = Body(FileIn())):  # noqa: B008 - ninja's body marker
    ret = present.get_return(request, ret_id)
    ret = services.file_return(ret, request=request, submitted=data.cells, reasons=data.reasons)
    return present.return_data(ret, english=_english(request))


@router.post("/filing/returns/{ret_id}/pay", summary="缴款 / pay the tax filed")
def pay(request, ret_id: int, data: PayIn = Body(PayIn())):  # noqa: B008 - ninja's body marker
    ret = present.get_return(request, ret_id)
    payment = services.pay(ret, request=request, channel_name=data.channel)
    return {"amount": f"{payment.amount:.2f}", "channel": payment.channel, "reference": payment.reference,
            "status": payment.status}


@router.post("/filing/returns/{ret_id}/correct", summary="更正申报 / start a correction")
def correct(request, ret_id: int, data: CorrectIn = Body(CorrectIn())):  # noqa: B008 - ninja's body marker
    ret = present.get_return(request, ret_id)
    new = services.start_correction(ret, request=request, reason=data.reason)
    return present.return_data(new, english=_english(request))


@router.get("/filing/calendar", summary="申报期限 / filing deadlines")
def deadlines(request, year: int = 2026):
    from zhishui.core.periods import Period

    out = []
    for m in range(1, 13):
        period = Period.month(year, m) - 1
        info = calendar.deadline_info(period)
        out.append({"filing_month": f"{year:04d}-{m:02d}", "period": str(period), "deadline": info["date"].isoformat(),
                    "confidence": info["confidence"], "basis": info["basis"]})
    return out


@router.get("/filing/non-filers", summary="未申报户 / non-filers of a VAT period")
def non_filers(request, period: str, street: str = "", officer: str = ""):
    _staff(request)
    p = parse_period(period, "period", (MONTH,))
    return [{**r, "due_on": r["due_on"].isoformat()} for r in followup.non_filers(p, street=street, officer=officer)]


@router.get("/filing/late-payers", summary="逾期未缴 / late payers")
def late_payers(request, on: date | None = None, street: str = "", officer: str = ""):
    _staff(request)
    rows = followup.late_payers(on or services.today(), street=street, officer=officer)
    return [{**r, "amount": f"{r['amount']:.2f}"} for r in rows]


@router.get("/filing/abnormal-candidates", summary="非正常户候选 / abnormal-household candidates")
def abnormal(request, as_of: str):
    _staff(request)
    return followup.abnormal_candidates(parse_period(as_of, "as_of", (MONTH,)))


@router.get("/filing/deviations", summary="偏离预填的申报（供风险管理）/ filed returns deviating from the pre-fill")
def deviations(request, period: str = ""):
    _staff(request)
    qs = Return.objects.filter(status__in=[Return.FILED, Return.SUPERSEDED]).exclude(deviations=[])
    if period:
        qs = qs.filter(period=str(parse_period(period)))
    return [{"id": r.pk, "taxpayer_id": r.taxpayer_id, "form": r.form, "period": r.period, "revision": r.revision,
             "deviations": r.deviations} for r in qs.order_by("-period", "taxpayer_id")[:1000]]
