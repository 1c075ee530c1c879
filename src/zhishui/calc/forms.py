"""An input form generated from a calculator's JSON Schema, and the payload read back from it.

Scalar fields become labelled inputs; list fields (e.g. the months of a wage year, the documents of
a stamp-duty return) take JSON, prefilled with an example row built from the item schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from zhishui.core.errors import ValidationFailure


@dataclass
class FieldSpec:
    name: str
    label: str
    help: str
    kind: str  # text, money, integer, boolean, enum, date, json
    required: bool
    default: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    value: str = ""


def _types(prop: dict) -> set[str]:
    t = prop.get("type", "string")
    return set(t if isinstance(t, list) else [t])


def _example(item_schema: dict) -> dict:
    row = {}
    for key, prop in item_schema.get("properties", {}).items():
        types = _types(prop)
        if "enum" in prop:
            row[key] = prop["enum"][0]
        elif "boolean" in types:
            row[key] = False
        elif types & {"integer"} and "string" not in types:
            row[key] = prop.get("minimum", 0)
        elif prop.get("format") == "date":
            row[key] = "2026-01-01"
        else:
            row[key] = prop.get("default", "0.00" if "pattern" in prop else "")
    return row


def fields_from_schema(schema: dict, english: bool) -> list[FieldSpec]:
    required = set(schema.get("required", []))
    specs = []
    for name, prop in schema.get("properties", {}).items():
        types = _types(prop)
        title, desc = prop.get("title", name), prop.get("description", "")
        label, help_text = (desc or title, title) if english else (title, desc)
        default = prop.get("default")
        if "enum" in prop:
            labels = prop.get("x-labels-zh", {})
            choices = tuple((v, v if english else labels.get(v, v)) for v in prop["enum"] if v is not None)
            spec = FieldSpec(name, label, help_text, "enum", name in required, str(default or ""), choices)
        elif "array" in types:
            example = [_example(prop.get("items", {}))]
            spec = FieldSpec(name, label, help_text, "json", name in required,
                             json.dumps(example, ensure_ascii=False, indent=1))
        elif "boolean" in types:
            spec = FieldSpec(name, label, help_text, "boolean", False, "true" if default else "")
        elif prop.get("format") == "date":
            spec = FieldSpec(name, label, help_text, "date", name in required, str(default or ""))
        elif "integer" in types and "string" not in types:
            spec = FieldSpec(name, label, help_text, "integer", name in required,
                             "" if default is None else str(default))
        elif "pattern" in prop and "string" in types and "integer" in types:
            spec = FieldSpec(name, label, help_text, "money", name in required, str(default or ""))
        else:
            spec = FieldSpec(name, label, help_text, "text", name in required, str(default or ""))
        spec.value = spec.default
        specs.append(spec)
    return specs


def payload_from_form(specs: list[FieldSpec], data) -> dict:
    """Read the submitted form into the calculator's JSON input; empty optional fields are left out."""
    payload: dict = {}
    for spec in specs:
        if spec.kind == "boolean":
            spec.value = "true" if data.get(spec.name) else ""
            payload[spec.name] = bool(data.get(spec.name))
            continue
        raw = (data.get(spec.name) or "").strip()
        spec.value = raw
        if not raw:
            continue
        if spec.kind == "json":
            try:
                payload[spec.name] = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ValidationFailure(spec.name, f"不是有效的 JSON：第{exc.lineno}行第{exc.colno}列",
                                        f"not valid JSON: line {exc.lineno} column {exc.colno}", raw) from exc
        elif spec.kind == "integer":
            try:
                payload[spec.name] = int(raw)
            except ValueError as exc:
                raise ValidationFailure(spec.name, "必须是整数", "must be a whole number", raw) from exc
        else:
            payload[spec.name] = raw
    return payload
