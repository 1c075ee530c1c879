"""Validation errors that name the field and say why, in Chinese and English.

Every boundary (forms, API, CLI, imports) turns bad input into ``ValidationFailure``; the API
renders it as ``{"code": ..., "errors": [{"field", "message_zh", "message_en", "value"}]}``
with HTTP 4xx, the CLI prints it and exits 2, forms show it beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message_zh: str
    message_en: str
    value: object = None

    def as_dict(self) -> dict:
        value = self.value if isinstance(self.value, str | int | None) else str(self.value)
        if isinstance(value, str) and len(value) > 200:
            value = value[:200] + "…"
        return {"field": self.field, "message_zh": self.message_zh, "message_en": self.message_en,
                "value": value}


class ValidationFailure(ValueError):
    """One or more field errors; ``code`` is the machine-readable class of the failure."""

    def __init__(self, field: str | None = None, message_zh: str = "", message_en: str = "",
                 value: object = None, *, errors: list[FieldError] | None = None,
                 code: str = "invalid"):
        self.errors: list[FieldError] = list(errors or [])
        if field is not None:
            self.errors.append(FieldError(field, message_zh, message_en, value))
        self.code = code
        super().__init__("; ".join(f"{e.field}: {e.message_zh} / {e.message_en}" for e in self.errors))

    def as_dict(self) -> dict:
        first = self.errors[0] if self.errors else FieldError("", "输入无效", "invalid input")
        return {"code": self.code, "message_zh": first.message_zh, "message_en": first.message_en,
                "errors": [e.as_dict() for e in self.errors]}


@dataclass
class ErrorCollector:
    """Collects several field errors before raising them together."""

    errors: list[FieldError] = field(default_factory=list)

    def add(self, field: str, message_zh: str, message_en: str, value: object = None) -> None:
        self.errors.append(FieldError(field, message_zh, message_en, value))

    def check(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValidationFailure as exc:
            self.errors.extend(exc.errors)
            return None

    def raise_if_any(self, code: str = "invalid") -> None:
        if self.errors:
            raise ValidationFailure(errors=self.errors, code=code)
