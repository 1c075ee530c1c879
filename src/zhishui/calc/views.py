"""法规参数 (every parameter with its history and citation) and the calculator pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from zhishui.core.decorators import capability_required
from zhishui.core.errors import ValidationFailure
from zhishui.law import interface
from zhishui.law.parameters import ParameterSet, render_value

from .forms import fields_from_schema, payload_from_form


@capability_required("staff_portal")
def parameters(request):
    params = ParameterSet.load(settings.ZHISHUI_DISTRICT)
    q = request.GET.get("q", "").strip()
    groups: dict[str, list] = {}
    for name in params.names():
        p = params.get(name)
        if q and q not in name and q not in p.label_zh and q.lower() not in p.label_en.lower():
            continue
        versions = [{"start": v.start, "end": v.end, "value": render_value(v.value), "citation": v.citation,
                     "confidence": v.confidence, "note": v.note} for v in p.versions]
        groups.setdefault(p.source, []).append({"param": p, "versions": versions,
                                                "is_scale": isinstance(versions[0]["value"], list)})
    return render(request, "calc/parameters.html", {"groups": groups, "q": q, "param_district": params.district,
                                                    "param_district_name": params.district_name_zh})


@login_required
def calculator_list(request):
    return render(request, "calc/list.html", {"calculators": interface.list_calculators()})


@login_required
def calculator(request, name: str):
    known = {c["name"]: c for c in interface.list_calculators()}
    if name not in known:
        raise Http404
    english = request.LANGUAGE_CODE.startswith("en")
    specs = fields_from_schema(interface.schema(name), english)
    result = errors = None
    if request.method == "POST":
        try:
            payload = payload_from_form(specs, request.POST)
            result = interface.run(name, payload, district=settings.ZHISHUI_DISTRICT)
        except ValidationFailure as exc:
            errors = exc.errors
    context = {"calc": known[name], "fields": specs, "result": result, "errors": errors, "english": english}
    template = "calc/_result.html" if request.headers.get("HX-Request") else "calc/calculator.html"
    return render(request, template, context, status=422 if errors else 200)
