"""Calculator inputs: typed dataclass fields, their JSON Schema, and parsing of JSON payloads.

A field's kind (money, quantity, integer, flag, choice, period, day, text, items) and its Chinese
and English labels live in the dataclass field metadata; the JSON Schema and the validation of a
payload are both derived from it, so the two cannot disagree. Every error names the field and
its label in Chinese and English.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from zhishui.core.errors import ErrorCollector, ValidationFailure
from zhishui.core.money import to_money
from zhishui.core.periods import MONTH, QUARTER, YEAR, Period, parse_period

MONEY_PATTERN = r"^-?\d{1,16}(\.\d{1,2})?$"
_QUANTITY_RE = re.compile(r"^\d{1,16}(\.\d{1,8})?$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERIOD_PATTERNS = {MONTH: r"\d{4}-(0[1-9]|1[0-2])", QUARTER: r"\d{4}-Q[1-4]", YEAR: r"\d{4}"}
_MISSING = dataclasses.MISSING


def _field(kind: str, zh: str, en: str, default=_MISSING, default_factory=_MISSING, **extra):
    meta = {"kind": kind, "label_zh": zh, "label_en": en, **extra}
    return dataclasses.field(default=default, default_factory=default_factory, metadata=meta)


def money(zh: str, en: str, default: Decimal | int | None = _MISSING, *, negative: bool = False):
    """An amount in 元 with at most two decimals; negative only where the form allows it."""
    if isinstance(default, int):
        default = Decimal(default).quantize(Decimal("0.01"))
    return _field("money", zh, en, default, negative=negative)


def quantity(zh: str, en: str, default: Decimal | int | None = _MISSING):
    """A non-negative measured quantity (m², tonnes, kg, litres, dB), up to 8 decimals."""
    if isinstance(default, int):
        default = Decimal(default)
    return _field("quantity", zh, en, default)


def integer(zh: str, en: str, default: int = _MISSING, *, minimum: int = 0, maximum: int | None = None):
    return _field("integer", zh, en, default, minimum=minimum, maximum=maximum)


def flag(zh: str, en: str, default: bool = False):
    return _field("flag", zh, en, default)


def choice(zh: str, en: str, choices: dict[str, str], default: str | None = _MISSING):
    """One of fixed codes; ``choices`` maps each code to its Chinese label."""
    return _field("choice", zh, en, default, choices=choices)


def period(zh: str, en: str, kinds: tuple[str, ...] = (MONTH, QUARTER)):
    return _field("period", zh, en, kinds=kinds)


def day(zh: str, en: str):
    return _field("day", zh, en)


def text(zh: str, en: str, default: str = _MISSING):
    return _field("text", zh, en, default)


def items(zh: str, en: str, item_type: type, *, min_items: int = 0):
    return _field("items", zh, en, default_factory=list, item_type=item_type, min_items=min_items)


def _fields(cls: type) -> tuple[dataclasses.Field, ...]:
    return dataclasses.fields(cls)


def _required(f: dataclasses.Field) -> bool:
    """No default, or a list that must have items."""
    if f.metadata["kind"] == "items":
        return f.metadata["min_items"] > 0
    return f.default is _MISSING


def json_schema(cls: type) -> dict:
    """JSON Schema (draft 2020-12) of a calculator input dataclass."""
    props, required = {}, []
    for f in _fields(cls):
        m = f.metadata
        s: dict = {"title": m["label_zh"], "description": m["label_en"]}
        kind = m["kind"]
        if kind == "money":
            s.update({"type": ["string", "integer"], "pattern": MONEY_PATTERN if m["negative"]
                      else MONEY_PATTERN.replace("^-?", "^")})
        elif kind == "quantity":
            s.update({"type": ["string", "number", "integer"], "pattern": _QUANTITY_RE.pattern, "minimum": 0})
        elif kind == "integer":
            s.update({"type": "integer", "minimum": m["minimum"]})
            if m["maximum"] is not None:
                s["maximum"] = m["maximum"]
        elif kind == "flag":
            s["type"] = "boolean"
        elif kind == "choice":
            s.update({"type": "string", "enum": list(m["choices"]),
                      "x-labels-zh": dict(m["choices"])})
        elif kind == "period":
            s.update({"type": "string", "pattern": "^(" + "|".join(_PERIOD_PATTERNS[k] for k in m["kinds"]) + ")$"})
        elif kind == "day":
            s.update({"type": "string", "format": "date"})
        elif kind == "text":
            s["type"] = "string"
        elif kind == "items":
            s.update({"type": "array", "items": json_schema(m["item_type"]), "minItems": m["min_items"]})
        if f.default is not _MISSING and f.default is not None:
            s["default"] = _jsonable(f.default)
        elif f.default is None:
            s["type"] = [*([s["type"]] if isinstance(s["type"], str) else s["type"]), "null"]
            s["default"] = None
        if _required(f):
            required.append(f.name)
        props[f.name] = s
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "title": getattr(cls, "__doc__", "") or cls.__name__, "properties": props, "required": required,
            "additionalProperties": False}


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Period):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return to_payload(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def to_payload(instance: object) -> dict:
    """The JSON payload that parses back to ``instance``."""
    return {f.name: _jsonable(getattr(instance, f.name)) for f in _fields(type(instance))}


def parse(cls: type, payload: object, prefix: str = ""):
    """Build ``cls`` from a JSON payload, or raise one ValidationFailure listing every bad field."""
    errors = ErrorCollector()
    where = prefix or "input"
    if not isinstance(payload, dict):
        raise ValidationFailure(where, "输入必须是 JSON 对象", "input must be a JSON object", None)
    known = {f.name: f for f in _fields(cls)}
    for key in payload:
        if key not in known:
            errors.add(_path(prefix, key), f"未知字段「{key}」", f"unknown field '{key}'", key)
    values = {}
    for name, f in known.items():
        m, path = f.metadata, _path(prefix, name)
        label = f"{m['label_zh']}（{name}）", f"{m['label_en']} ({name})"
        if name not in payload or (payload[name] is None and f.default is None):
            if _required(f):
                errors.add(path, f"缺少必填字段：{label[0]}", f"missing required field: {label[1]}")
            continue
        try:
            values[name] = _parse_value(m, payload[name], path, label)
        except ValidationFailure as exc:
            errors.errors.extend(exc.errors)
    errors.raise_if_any()
    return cls(**values)


def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _relabel(exc: ValidationFailure, label: tuple[str, str]) -> ValidationFailure:
    errs = [dataclasses.replace(e, message_zh=f"{label[0]}：{e.message_zh}", message_en=f"{label[1]}: {e.message_en}")
            for e in exc.errors]
    return ValidationFailure(errors=errs)


def _bad(path: str, label: tuple[str, str], zh: str, en: str, value: object) -> ValidationFailure:
    return ValidationFailure(path, f"{label[0]}：{zh}", f"{label[1]}: {en}", value)


def _parse_value(m: dict, raw: object, path: str, label: tuple[str, str]) -> object:
    kind = m["kind"]
    if kind == "money":
        try:
            return to_money(raw, path, allow_negative=m["negative"])
        except ValidationFailure as exc:
            raise _relabel(exc, label) from None
    if kind == "quantity":
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise _bad(path, label, "必须是非负数", "must be a non-negative number", raw)
        text_value = str(raw).strip() if not isinstance(raw, float) else repr(raw)
        if not _QUANTITY_RE.match(text_value):
            raise _bad(path, label, "必须是非负数（最多8位小数）", "must be a non-negative number (≤ 8 decimals)", raw)
        try:
            return Decimal(text_value)
        except InvalidOperation:  # pragma: no cover - guarded by the regex
            raise _bad(path, label, "必须是非负数", "must be a non-negative number", raw) from None
    if kind == "integer":
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise _bad(path, label, "必须是整数", "must be an integer", raw)
        if raw < m["minimum"] or (m["maximum"] is not None and raw > m["maximum"]):
            hi = "" if m["maximum"] is None else f"～{m['maximum']}"
            hi_en = "" if m["maximum"] is None else f"..{m['maximum']}"
            raise _bad(path, label, f"超出范围 {m['minimum']}{hi}", f"out of range {m['minimum']}{hi_en}", raw)
        return raw
    if kind == "flag":
        if not isinstance(raw, bool):
            raise _bad(path, label, "必须是 true 或 false", "must be true or false", raw)
        return raw
    if kind == "choice":
        if raw not in m["choices"]:
            opts = "、".join(f"{k}（{v}）" for k, v in m["choices"].items())
            raise _bad(path, label, f"取值须为 {opts}", f"must be one of {', '.join(m['choices'])}", raw)
        return raw
    if kind == "period":
        try:
            return parse_period(raw, path, m["kinds"])
        except ValidationFailure as exc:
            raise _relabel(exc, label) from None
    if kind == "day":
        try:
            if isinstance(raw, str) and _DAY_RE.match(raw):
                return date.fromisoformat(raw)
        except ValueError:
            pass
        raise _bad(path, label, "日期格式应为 YYYY-MM-DD", "date must be YYYY-MM-DD", raw)
    if kind == "text":
        if not isinstance(raw, str):
            raise _bad(path, label, "必须是文本", "must be a string", raw)
        return raw
    if not isinstance(raw, list):
        raise _bad(path, label, "必须是数组", "must be an array", raw)
    if len(raw) < m["min_items"]:
        raise _bad(path, label, f"至少需要 {m['min_items']} 项", f"needs at least {m['min_items']} item(s)", None)
    errors, out = ErrorCollector(), []
    for i, item in enumerate(raw):
        out.append(errors.check(parse, m["item_type"], item, f"{path}[{i}]"))
    errors.raise_if_any()
    return out
