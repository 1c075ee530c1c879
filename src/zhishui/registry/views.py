"""Pages: 数据交换 (feeds, departments, findings, uploads), the 一户式 and 一人式 profiles, search."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from zhishui.core import audit
from zhishui.core.access import can_view_all, require_taxpayer
from zhishui.core.decorators import capability_required
from zhishui.core.errors import ValidationFailure

from . import exchange as exchange_figures
from . import models, pii, services
from . import search as search_mod
from .feeds import FEEDS
from .profile import person_profile, taxpayer_profile


def _zh(request) -> bool:
    return request.LANGUAGE_CODE.startswith("zh")


def _message(request, exc: ValidationFailure) -> str:
    err = exc.errors[0]
    return err.message_zh if _zh(request) else err.message_en


# --- 数据交换 -------------------------------------------------------------------------------------

@capability_required("import_feeds", "view_all_taxpayers", "view_reform")
def exchange(request):
    latest = models.ImportBatch.objects.exclude(status="running").first()
    findings = (models.QualityFinding.objects.select_related("subject").order_by("kind", "-count", "id"))
    kind = request.GET.get("kind", "")
    if kind in dict(models.QualityFinding.KINDS):
        findings = findings.filter(kind=kind)
    page = Paginator(findings, 50).get_page(request.GET.get("page"))
    return render(request, "registry/exchange.html", {
        "feeds": exchange_figures.feed_status(), "departments": exchange_figures.department_status(),
        "stale_days": exchange_figures.STALE_DAYS, "counts": latest.quality if latest else {},
        "kinds": models.QualityFinding.KINDS, "kind": kind, "page": page,
        "batches": models.ImportBatch.objects.all()[:15], "can_upload": request.user.has_perm("core.import_feeds"),
        "can_profile": can_view_all(request.user),
    })


class _MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _MultipleFiles())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = _MultipleFileField(label=gettext_lazy("Feed files (CSV, XLSX, Parquet, manifest.json, or a zip of them)"))
    source = forms.CharField(label=gettext_lazy("Providing department"), max_length=100, required=False,
                             help_text=gettext_lazy("Leave empty to use the manifest's or each feed's department."))
    skip_invalid = forms.BooleanField(label=gettext_lazy("Load the valid rows and set the rejected ones aside"),
                                      required=False)


class _LimitHandler(FileUploadHandler):
    """Stops an upload as soon as it exceeds the import size limit, before it fills the disk."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.seen = 0

    def receive_data_chunk(self, raw_data, start):
        self.seen += len(raw_data)
        if self.seen > self.limit:
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt
@capability_required("import_feeds")
def upload(request):
    # The size limit must be in place before the body is parsed, hence csrf_exempt + csrf_protect below.
    from django.conf import settings

    limit = settings.ZHISHUI_IMPORT_MAX_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 1_000_000:
        messages.error(request, _("The upload is larger than the import limit of %(n)s bytes.") % {"n": limit})
        return render(request, "registry/upload.html", {"form": UploadForm(), "limit": limit}, status=413)
    request.upload_handlers.insert(0, _LimitHandler(request, limit))
    return _upload(request, limit)


@csrf_protect
def _upload(request, limit: int):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        report = services.accept_upload(form.cleaned_data["files"], user=request.user, request=request,
                                        source=form.cleaned_data["source"],
                                        skip_invalid=form.cleaned_data["skip_invalid"])
        if report.status == "ok":
            messages.success(request, _("Feed files loaded."))
        else:
            messages.warning(request, _("Some files were rejected; see the report below."))
        return redirect("registry:batch", pk=report.batch_id)
    departments = sorted({f.department for f in FEEDS.values()} |
                         set(models.Load.objects.values_list("source", flat=True).distinct()[:50]))
    return render(request, "registry/upload.html", {"form": form, "limit": limit, "departments": departments,
                                                    "feeds": FEEDS.values()},
                  status=400 if request.method == "POST" else 200)


@capability_required("import_feeds", "view_all_taxpayers", "view_reform")
def batch(request, pk: int):
    item = get_object_or_404(models.ImportBatch, pk=pk)
    loads = list(item.loads.order_by("id"))
    rejected = {}
    if item.via == "web" and request.user.has_perm("core.import_feeds"):
        for ld in loads:
            if (Path(item.directory) / "rejected" / f"{ld.feed}.csv").exists():
                rejected[ld.feed] = True
    return render(request, "registry/batch.html", {"batch": item, "loads": loads, "rejected": rejected,
                                                   "zh": _zh(request)})


@capability_required("import_feeds")
def rejected_file(request, pk: int, feed: str):
    item = get_object_or_404(models.ImportBatch, pk=pk, via="web")
    if feed not in FEEDS:
        raise Http404
    root = services.upload_root().resolve()
    path = (Path(item.directory) / "rejected" / f"{feed}.csv").resolve()
    if root not in path.parents or not path.exists():
        raise Http404
    audit.record("registry.rejected_download", request=request, object_type="registry.ImportBatch",
                 object_id=str(pk), detail={"feed": feed})
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"rejected-{pk}-{feed}.csv",
                        content_type="text/csv; charset=utf-8")


# --- search ---------------------------------------------------------------------------------------

@capability_required("view_all_taxpayers")
def search(request):
    q = request.GET.get("q", "").strip()
    results = search_mod.search(q) if q else None
    if results and results.get("exact"):
        return redirect(results["exact"])
    return render(request, "registry/search.html", {"q": q, "results": results})


# --- 一户式 / 一人式 -------------------------------------------------------------------------------

def _reveal(request, *, object_type: str, key: str, shown: list[str]) -> tuple[bool, str]:
    if request.method != "POST":
        return False, ""
    try:
        services.reveal_personal_data(request, object_type=object_type, key=key,
                                      reason=request.POST.get("reason", ""), shown=shown)
    except ValidationFailure as exc:
        return False, _message(request, exc)
    return True, ""


def find_taxpayer(request, key: str) -> models.Taxpayer:
    """The taxpayer of ``key`` if this user may read it; 404 (audited) otherwise, whether or not it exists."""
    t = models.Taxpayer.objects.select_related("market_entity", "registration").filter(key=key).first()
    if t is None:
        if not can_view_all(request.user):
            audit.record("access.denied", request=request, object_type="taxpayer", object_id=key[:120],
                         outcome="denied", detail={"path": request.path})
        raise Http404
    require_taxpayer(request, pii.decrypt(t.tax_id_enc) if t.personal else t.tax_id)
    return t


@never_cache
@capability_required("view_all_taxpayers", "taxpayer_portal")
def taxpayer(request, key: str):
    t = find_taxpayer(request, key)
    shown = [t.display_id, *models.Relation.objects.filter(entity=t).values_list("person_masked", flat=True)]
    revealed, reveal_error = _reveal(request, object_type="registry.Taxpayer", key=key, shown=shown)
    data = taxpayer_profile(t, reveal=revealed, staff=can_view_all(request.user))
    chart = {"months": [m["month"] for m in data["invoicing"]["monthly"]],
             "out": [str(m["out_amount"]) for m in data["invoicing"]["monthly"]],
             "in": [str(m["in_amount"]) for m in data["invoicing"]["monthly"]],
             "headcount_months": [s["month"] for s in data["social_insurance"]],
             "headcount": [s["insured_count"] for s in data["social_insurance"]]}
    return render(request, "registry/taxpayer.html", {
        "p": data, "chart": chart, "reveal_error": reveal_error, "staff": can_view_all(request.user),
        "can_reveal": request.user.has_perm("core.view_personal_data"), "zh": _zh(request),
    }, status=400 if reveal_error else 200)


def require_person(request, key: str) -> None:
    """Staff who read every taxpayer, or the person themself (person portal); else 404, audited."""
    user = request.user
    if can_view_all(user):
        return
    from zhishui.core.identifiers import normalize

    own = normalize(user.taxpayer_id)
    if user.has_perm("core.person_portal") and own and pii.blind_index(own) == key:
        return
    audit.record("access.denied", request=request, object_type="person", object_id=key[:120], outcome="denied",
                 detail={"path": request.path})
    raise Http404


@never_cache
@capability_required("view_all_taxpayers", "person_portal")
def person(request, key: str):
    require_person(request, key)
    revealed, reveal_error = _reveal(request, object_type="registry.Person", key=key, shown=[key])
    data = person_profile(key, reveal=revealed)
    if data is None:
        raise Http404
    return render(request, "registry/person.html", {
        "p": data, "reveal_error": reveal_error, "staff": can_view_all(request.user),
        "can_reveal": request.user.has_perm("core.view_personal_data"), "zh": _zh(request),
    }, status=400 if reveal_error else 200)
