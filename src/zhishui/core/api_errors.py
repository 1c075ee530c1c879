"""Turn schema (pydantic) errors into field errors with Chinese and English messages."""

from __future__ import annotations

from .errors import FieldError, ValidationFailure

# pydantic error type → Chinese message template (English comes from pydantic itself).
_ZH = {
    "missing": "缺少必填字段",
    "string_too_long": "超过最大长度 {max_length}",
    "string_too_short": "短于最小长度 {min_length}",
    "string_type": "必须是文本",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "decimal_parsing": "必须是数字",
    "decimal_type": "必须是数字",
    "decimal_max_places": "小数位数不能超过 {decimal_places} 位",
    "decimal_max_digits": "数字位数不能超过 {max_digits} 位",
    "float_parsing": "必须是数字",
    "bool_parsing": "必须是 true 或 false",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式应为 ISO 8601",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "enum": "取值必须是 {expected} 之一",
    "literal_error": "取值必须是 {expected} 之一",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体格式不正确",
    "list_type": "必须是列表",
    "too_long": "元素过多（最多 {max_length} 个）",
    "value_error": "取值无效",
}


def error_body(code: str, zh: str, en: str) -> dict:
    return {"code": code, "message_zh": zh, "message_en": en, "errors": []}


def pydantic_errors(errors: list[dict]) -> ValidationFailure:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload", "form")]
        ctx = {k: v for k, v in (err.get("ctx") or {}).items()}
        template = _ZH.get(err.get("type", ""), "取值无效")
        try:
            zh = template.format(**ctx)
        except (KeyError, IndexError):
            zh = template
        out.append(FieldError(".".join(loc) or "body", zh, err.get("msg", "invalid value"), err.get("input")))
    return ValidationFailure(errors=out, code="invalid")
