"""Calculators over the API: list, JSON Schema, and run (input JSON in, amounts and breakdown out)."""

from __future__ import annotations

from django.conf import settings
from ninja import Body, Router

from zhishui.law import interface

router = Router(tags=["calc"])


@router.get("/calc", summary="计算器列表 / calculators")
def calculators(request):
    return interface.list_calculators()


@router.get("/calc/{name}/schema", summary="计算器输入格式 / input JSON Schema")
def calculator_schema(request, name: str):
    return interface.schema(name)


@router.post("/calc/{name}", summary="计算 / calculate")
def calculate(request, name: str, payload: dict = Body(...)):  # noqa: B008 - ninja's body marker
    return interface.run(name, payload, district=settings.ZHISHUI_DISTRICT)
