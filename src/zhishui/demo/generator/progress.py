"""A terminal progress bar for long generations (stderr, only when it is a terminal)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

# Share of a full-scale run's time each stage takes, measured on the 2-core reference machine.
STAGES = {
    "population": 3, "schemes": 1, "identities": 6, "plan": 2, "utilities": 2, "real estate": 1,
    "sales": 6, "purchases": 4, "lines": 14, "red invoices": 2, "numbers": 3, "facts": 4,
    "market_entities": 1, "tax_registrations": 1, "persons and relations": 4,
    "social insurance and utilities": 2, "property and customs": 1, "invoices": 8, "invoice lines": 22,
    "returns": 2,
    "truth": 1,
}


class Progress:
    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None, width: int = 32):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.width = width
        self.total = sum(STAGES.values())
        self.done = 0
        self.started = time.monotonic()
        self.timings: dict[str, float] = {}
        self._last = self.started

    def advance(self, stage: str) -> None:
        now = time.monotonic()
        self.timings[stage] = round(now - self._last, 3)
        self._last = now
        self.done += STAGES.get(stage, 1)
        if self.enabled:
            share = min(self.done / self.total, 1.0)
            filled = int(share * self.width)
            bar = "█" * filled + "·" * (self.width - filled)
            self.stream.write(f"\r生成 generating [{bar}] {share:4.0%} {now - self.started:6.1f}s  {stage:<32}")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
