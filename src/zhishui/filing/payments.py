"""Bank channels that settle tax payable (缴款). ``BankChannel`` is the interface a real channel
(e.g. a TIPS three-party agreement debit: tax bureau, treasury, bank) implements;
``DemoBankChannel`` simulates the debit for the demo and the tests and moves no money."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class DebitResult:
    ok: bool
    reference: str  # the bank's transaction reference (流水号)
    message_zh: str = ""
    message_en: str = ""


class BankChannel(Protocol):
    name: str

    def debit(self, taxpayer_id: str, amount: Decimal, order_id: str) -> DebitResult:
        """Debit ``amount`` from the taxpayer's agreed account for the payment order ``order_id``.

        Must be idempotent per ``order_id``: a retried order returns the first result."""
        ...


class DemoBankChannel:
    """Simulated debit for the demonstration: always succeeds up to ``limit`` and returns a stable
    reference derived from the order id. It is selected only by name and never in production set-ups."""

    name = "demo-bank"

    def __init__(self, limit: Decimal = Decimal("100000000.00")):
        self.limit = limit

    def debit(self, taxpayer_id: str, amount: Decimal, order_id: str) -> DebitResult:
        reference = "DEMO" + hashlib.sha256(f"{taxpayer_id}:{order_id}".encode()).hexdigest()[:20].upper()
        if amount > self.limit:
            return DebitResult(False, reference, "模拟银行：超过演示扣款限额", "demo bank: above the demo debit limit")
        return DebitResult(True, reference, "模拟扣款成功（演示渠道，未发生真实资金划转）",
                           "simulated debit succeeded (demo channel, no money moved)")


CHANNELS: dict[str, BankChannel] = {DemoBankChannel.name: DemoBankChannel()}


def channel(name: str) -> BankChannel:
    from zhishui.core.errors import ValidationFailure

    try:
        return CHANNELS[name]
    except KeyError:
        raise ValidationFailure("channel", f"没有名为「{name}」的缴款渠道", f"no payment channel named '{name}'",
                                name) from None
