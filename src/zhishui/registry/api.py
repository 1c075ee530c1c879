"""Registry API: the 一户式 and 一人式 profiles, search, the data-exchange figures and load reports.

Access is the pages' own: staff with ``view_all_taxpayers`` read everything; a taxpayer account
reads its own profile only (any other answers 404, audited); unmasked personal data only through
``POST …/reveal`` with a reason, by a role with ``view_personal_data`` (audited each time).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Router, Schema

from zhishui.core import audit
from zhishui.core.access import can_view_all

from . import exchange, models, services
from . import search as search_mod
from .profile import person_profile, taxpayer_profile
from .views import find_taxpayer, require_person

router = Router(tags=["registry"])


def _require(request, *capabilities: str) -> None:
    if not any(request.user.has_perm(f"core.{c}") for c in capabilities):
        audit.record("access.denied", request=request, object_type="api", object_id=request.path, outcome="denied",
                     detail={"needs": list(capabilities)})
        raise PermissionDenied


class RevealIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000, description="查看完整个人信息的理由 / why")


@router.get("/registry/taxpayers/{key}", summary="一户式 / taxpayer profile (personal data masked)")
def taxpayer_api(request, key: str):
    _require(request, "view_all_taxpayers", "taxpayer_portal")
    t = find_taxpayer(request, key)
    return taxpayer_profile(t, reveal=False, staff=can_view_all(request.user))


@router.post("/registry/taxpayers/{key}/reveal", summary="一户式，显示完整个人信息 / profile unmasked, with a reason")
def taxpayer_reveal_api(request, key: str, payload: RevealIn):
    _require(request, "view_all_taxpayers", "taxpayer_portal")
    t = find_taxpayer(request, key)
    shown = [t.display_id, *models.Relation.objects.filter(entity=t).values_list("person_masked", flat=True)]
    services.reveal_personal_data(request, object_type="registry.Taxpayer", key=key, reason=payload.reason,
                                  shown=shown)
    return taxpayer_profile(t, reveal=True, staff=can_view_all(request.user))


@router.get("/registry/persons/{key}", summary="一人式 / person profile (personal data masked)")
def person_api(request, key: str):
    _require(request, "view_all_taxpayers", "person_portal")
    require_person(request, key)
    data = person_profile(key)
    if data is None:
        raise Http404
    return data


@router.post("/registry/persons/{key}/reveal", summary="一人式，显示完整个人信息 / person unmasked, with a reason")
def person_reveal_api(request, key: str, payload: RevealIn):
    _require(request, "view_all_taxpayers", "person_portal")
    require_person(request, key)
    services.reveal_personal_data(request, object_type="registry.Person", key=key, reason=payload.reason,
                                  shown=[key])
    data = person_profile(key, reveal=True)
    if data is None:
        raise Http404
    return data


@router.get("/registry/search", summary="按名称、信用代码、身份证号或发票号码查找 / search")
def search_api(request, q: str):
    _require(request, "view_all_taxpayers")
    result = search_mod.search(q)
    result.pop("exact", None)
    return result


@router.get("/registry/exchange", summary="数据交换：各数据项时效、数量与各部门拒收率 / data exchange figures")
def exchange_api(request):
    _require(request, "import_feeds", "view_all_taxpayers", "view_reform")
    latest = models.ImportBatch.objects.exclude(status="running").first()
    return {"feeds": exchange.feed_status(), "departments": exchange.department_status(),
            "quality": latest.quality if latest else {}}


@router.get("/registry/batches/{batch_id}", summary="导入批次报告 / load report of an import batch")
def batch_api(request, batch_id: int):
    _require(request, "import_feeds", "view_all_taxpayers", "view_reform")
    batch = models.ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return {"id": batch.id, "status": batch.status, "via": batch.via, "by": batch.by, "started_at": batch.started_at,
            "finished_at": batch.finished_at, "messages": batch.messages, "quality": batch.quality,
            "loads": [{"feed": ld.feed, "file": ld.file_name, "source": ld.source, "status": ld.status,
                       "rows_read": ld.rows_read, "inserted": ld.inserted, "updated": ld.updated,
                       "unchanged": ld.unchanged, "rejected": ld.rejected, "seconds": ld.seconds,
                       "error_count": ld.error_count, "errors": ld.errors, "warnings": ld.warnings}
                      for ld in batch.loads.order_by("id")]}
