"""Core API: who am I, API tokens, identifier checks, regions, audit chain verification."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status

from . import audit, services
from .api_auth import SessionAuth, issue_token
from .identifiers import classify
from .money import to_capital, to_money
from .periods import parse_period
from .regions import resolve

router = Router(tags=["core"])


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    taxpayer_id: str
    capabilities: list[str]


@router.get("/me", response=MeOut, summary="当前用户 / current user")
def me(request):
    user = request.user
    caps = sorted(p.split(".", 1)[1] for p in user.get_all_permissions() if p.startswith("core."))
    return {"username": user.username, "display_name": user.display_name, "roles": user.role_codes,
            "taxpayer_id": user.taxpayer_id, "capabilities": caps}


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = None


class TokenOut(Schema):
    name: str
    token: str
    prefix: str


@router.post("/tokens", response={201: TokenOut}, auth=SessionAuth(), summary="签发访问令牌 / issue an API token")
def create_token(request, payload: TokenIn):
    token, raw = issue_token(request.user, payload.name, payload.expires_at)
    audit.record("api.token_issued", request=request, obj=token, detail={"name": payload.name})
    return Status(201, {"name": token.name, "token": raw, "prefix": token.prefix})


class IdCheckIn(Schema):
    values: list[str] = Field(..., max_length=1000)


class IdCheckOut(Schema):
    input: str
    kind: str
    valid: bool
    detail: str


@router.post("/ids/check", response=list[IdCheckOut], summary="校验识别号 / check identifiers")
def ids_check(request, payload: IdCheckIn):
    out = []
    for value in payload.values:
        result = classify(value)
        out.append({"input": value, "kind": result.kind, "valid": result.valid, "detail": result.detail})
    return out


class RegionOut(Schema):
    code: str
    name: str
    full_name: str


@router.get("/regions/{code}", response=RegionOut, summary="行政区划 / administrative region")
def region(request, code: str):
    r = resolve(code)
    return {"code": r.code, "name": r.name, "full_name": r.full_name}


class ChainOut(Schema):
    ok: bool
    checked: int
    broken_at: int | None
    problem: str


@router.post("/audit/verify", response=ChainOut, summary="校验审计链 / verify the audit chain")
def audit_verify(request):
    if not request.user.has_perm("core.view_audit"):
        audit.record("access.denied", request=request, object_type="api", object_id=request.path, outcome="denied")
        raise PermissionDenied
    report = audit.verify_chain()
    audit.record("audit.verify", request=request, outcome="success" if report.ok else "failure",
                 detail={"checked": report.checked, "broken_at": report.broken_at})
    return {"ok": report.ok, "checked": report.checked, "broken_at": report.broken_at, "problem": report.problem}


class PeriodOut(Schema):
    period: str
    kind: str
    label_zh: str
    start: str
    end: str
    months: list[str]


@router.get("/periods/{period}", response=PeriodOut, summary="所属期 / tax period")
def period_info(request, period: str):
    p = parse_period(period)
    return {"period": str(p), "kind": p.kind, "label_zh": p.label_zh(), "start": p.start.isoformat(),
            "end": p.end.isoformat(), "months": [str(m) for m in p.month_periods()]}


class AmountIn(Schema):
    amount: str = Field(..., max_length=40, description="元，最多两位小数 / yuan, at most two decimals")


class AmountOut(Schema):
    amount: str
    capital: str


@router.post("/money/capital", response=AmountOut, summary="金额大写 / amount in capital numerals")
def money_capital(request, payload: AmountIn):
    amount = to_money(payload.amount, "amount")
    return {"amount": f"{amount:.2f}", "capital": to_capital(amount)}


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=128)
    display_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    roles: list[str] = Field(..., min_length=1)
    taxpayer_id: str = Field("", max_length=20)


class UserOut(Schema):
    id: int
    username: str
    roles: list[str]


@router.post("/users", response={201: UserOut}, summary="新建用户（系统管理员）/ create a user (system administrator)")
def create_user(request, payload: UserIn):
    if not request.user.has_perm("core.manage_users"):
        audit.record("access.denied", request=request, object_type="api", object_id=request.path, outcome="denied")
        raise PermissionDenied
    user = services.create_user(by=request.user, request=request, **payload.dict())
    return Status(201, {"id": user.pk, "username": user.username, "roles": user.role_codes})
