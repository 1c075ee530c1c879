"""A hypothesis state machine over issue / deliver / confirm / red-letter / verify.

After every step: numbers are contiguous and each invoice's digest, signature and ledger link hold; no
blue invoice is reversed beyond its amount and its status agrees with the red invoices against it; the
deduction query agrees with the usage confirmations; each seller's credit usage equals what it issued.
Each example runs in a savepoint that is rolled back afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.invoicing.helpers import BUYER, OTHER, SELLER, SOFTWARE, STEEL, invoice_request
from zhishui.core.errors import ValidationFailure
from zhishui.invoicing import credit, queries, services, verification
from zhishui.invoicing.canonical import digest_of, from_invoice
from zhishui.invoicing.models import CreditUsage, Invoice, InvoiceState, RedLetterRequest

amounts = st.integers(min_value=1, max_value=500000).map(lambda fen: f"{Decimal(fen) / 100:.2f}")


class InvoiceMachine(RuleBasedStateMachine):
    blues = Bundle("blues")
    forms = Bundle("forms")

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    @rule(target=blues, kind=st.sampled_from(["special", "ordinary"]), buyer=st.sampled_from([BUYER, OTHER]),
          first=amounts, second=st.one_of(st.none(), amounts))
    def issue(self, kind, buyer, first, second):
        lines = [{"goods_code": SOFTWARE, "amount": first, "tax_rate": "0.06"}]
        if second:
            lines.append({"goods_code": STEEL, "amount": second, "tax_rate": "0.13"})
        _s, receipt, _r = services.issue(seller_id=SELLER, data=invoice_request(kind=kind, buyer=buyer, lines=lines))
        return receipt["number"]

    @rule(number=blues)
    def deliver(self, number):
        services.create_link(Invoice.objects.get(number=number))

    @rule(number=blues, purpose=st.sampled_from(["deduct", "not_deduct"]))
    def confirm(self, number, purpose):
        inv = Invoice.objects.get(number=number)
        try:
            services.confirm_usage(number, buyer_id=inv.buyer_id, purpose=purpose)
        except ValidationFailure as exc:
            assert exc.code in {"not_confirmable", "already_confirmed", "red_reversed", "red_pending"}

    @rule(number=blues)
    def book(self, number):
        services.book(number, buyer_id=Invoice.objects.get(number=number).buyer_id)

    @rule(number=blues, full=st.booleans(), share=st.integers(min_value=1, max_value=100))
    def reverse(self, number, full, share):
        inv = Invoice.objects.get(number=number)
        line = inv.lines.order_by("line_no").first()
        amount = (line.amount * share / 100).quantize(Decimal("0.01"))
        lines = None if full else [{"line_no": 1, "amount": f"{amount:.2f}"}]
        try:
            services.reverse_directly(number, seller_id=SELLER, full=full, lines=lines)
        except ValidationFailure as exc:
            assert exc.code in {"red_requires_form", "red_reversed", "red_pending", "nothing_to_reverse", "invalid"}

    @rule(target=forms, number=blues, by_buyer=st.booleans(), share=st.integers(min_value=1, max_value=150))
    def raise_form(self, number, by_buyer, share):
        inv = Invoice.objects.get(number=number)
        line = inv.lines.order_by("line_no").first()
        amount = f"{(line.amount * share / 100).quantize(Decimal('0.01')):.2f}"
        try:
            form = services.request_red_letter(number, taxpayer_id=inv.buyer_id if by_buyer else SELLER,
                                               reason="allowance", full=False,
                                               lines=[{"line_no": 1, "amount": amount}])
        except ValidationFailure as exc:
            assert exc.code in {"red_reversed", "red_pending", "invalid", "nothing_to_reverse", "red_exceeds_blue"}
            return "none"
        return form.form_no

    @rule(form_no=forms, accept=st.booleans())
    def decide(self, form_no, accept):
        form = RedLetterRequest.objects.filter(pk=form_no).first()
        if form is None:
            return
        other = form.buyer_id if form.raised_by_party == "seller" else form.seller_id
        try:
            services.decide_red_letter(form_no, taxpayer_id=other, accept=accept)
        except ValidationFailure as exc:
            assert exc.code in {"form_not_pending", "form_expired", "red_reversed", "invalid"}

    @rule(number=blues)
    def verify(self, number):
        inv = Invoice.objects.get(number=number)
        report = verification.verify_number(number, timezone.localtime(inv.issued_at).date(), inv.total)
        assert report.ok

    @invariant()
    def numbers_are_contiguous_and_every_invoice_verifies(self):
        invoices = list(Invoice.objects.order_by("seq").prefetch_related("lines"))
        assert [i.seq for i in invoices] == list(range(1, len(invoices) + 1))
        for prev, inv in zip([None, *invoices], invoices, strict=False):
            header, lines = from_invoice(inv, sorted(inv.lines.all(), key=lambda ln: ln.line_no))
            assert digest_of(header, lines) == inv.digest
            if prev is not None:
                assert inv.prev_hash == prev.digest

    @invariant()
    def red_never_exceeds_blue(self):
        reds = defaultdict(Decimal)
        for red in Invoice.objects.filter(colour="red"):
            reds[red.red_of_id] += -red.amount
        for state in InvoiceState.objects.select_related("invoice").filter(invoice__colour="blue"):
            blue = state.invoice
            assert reds[blue.number] == state.red_amount <= blue.amount
            expected = ("normal" if not reds[blue.number] else
                        "red_reversed" if reds[blue.number] == blue.amount else "partly_red")
            assert state.status == expected

    @invariant()
    def deductions_and_credit_usage_agree(self):
        period = timezone.localdate().strftime("%Y-%m")
        for buyer in (BUYER, OTHER):
            listed = {r.number for r in queries.confirmed_for_deduction(buyer, period)}
            confirmed = set(InvoiceState.objects.filter(invoice__buyer_id=buyer, invoice__kind="special",
                                                        usage="deduct", usage_period=period)
                            .values_list("invoice_id", flat=True))
            assert listed == confirmed
        issued = Invoice.objects.filter(seller_id=SELLER).aggregate(s=Sum("amount"))["s"] or Decimal(0)
        used = CreditUsage.objects.filter(taxpayer_id=SELLER).aggregate(s=Sum("used"))["s"] or Decimal(0)
        cent = Decimal("0.01")  # SQLite adds decimals as binary floats: compare to the fen
        assert Decimal(used).quantize(cent) == Decimal(issued).quantize(cent)
        summary = credit.summary(SELLER)
        assert summary is None or summary.used <= summary.limit


@pytest.mark.django_db
def test_invoice_state_machine():
    run_state_machine_as_test(InvoiceMachine, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
