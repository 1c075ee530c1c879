"""The result of a verification (查验): the invoice's key fields and one line per check."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Check:
    name: str  # machine name, e.g. "digest", "signature", "record_match", "ofd_check_value"
    ok: bool | None  # None: could not be checked (said in ``detail``), never counted as passed
    label_zh: str
    label_en: str
    detail: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "label_zh": self.label_zh, "label_en": self.label_en,
                "detail": self.detail}


@dataclass
class Report:
    source: str  # number / qr / xml / ofd
    fields: dict = field(default_factory=dict)  # number, date, seller, buyer, amounts … (no personal data)
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be verified, in Chinese / English
    ours: bool = False  # issued by this platform
    status: str = ""  # normal / partly_red / red_reversed (ours), "" otherwise
    found: bool = True

    def add(self, name: str, ok: bool | None, label_zh: str, label_en: str, detail: str = "") -> Check:
        check = Check(name, ok, label_zh, label_en, detail)
        self.checks.append(check)
        return check

    @property
    def ok(self) -> bool:
        decided = [c for c in self.checks if c.ok is not None]
        return self.found and bool(decided) and all(c.ok for c in decided)

    @property
    def outcome(self) -> str:
        if not self.found:
            return "not_found"
        return "valid" if self.ok else "invalid"

    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]

    def as_dict(self) -> dict:
        return {"ok": self.ok, "outcome": self.outcome, "source": self.source, "ours": self.ours,
                "status": self.status, "fields": self.fields, "checks": [c.as_dict() for c in self.checks],
                "notes": self.notes}
