"""The bulk pre-fill (``filing.bulk``) proposes, for every taxpayer, exactly what the interactive path
proposes: the same cells, derived values, amount payable, law objections and cell traces."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.filing import factory
from zhishui.core.periods import parse_period
from zhishui.filing import bulk, forms, parties, services
from zhishui.filing.models import Payable, Prefill, Return
from zhishui.registry import summaries
from zhishui.registry.models import ImportedInvoice

pytestmark = pytest.mark.django_db
ON = date(2026, 10, 20)
RATES = {"general": ["0.13", "0.13", "0.09", "0.06", "0.05", "0.03", "0.01", "0", "0.015"],
         "small_scale": ["0.01", "0.01", "0.03", "0.05"]}


def _district(seed: int) -> list:
    rng = random.Random(seed)
    people = []
    for n in range(1, 25):
        status = "general" if n % 3 else "small_scale"
        kind = "individual_business" if n % 7 == 0 else "enterprise"
        people.append(factory.taxpayer(n, vat_status=status, kind=kind, entity_type=kind,
                                       urban_class=["city", "county_town", "other", ""][n % 4]))
    others = [factory.outsider(k) for k in range(1, 4)]
    status = {t.pk: ("general" if i % 3 != 2 else "small_scale") for i, t in enumerate(people)}
    for _ in range(220):
        seller = rng.choice(people)
        buyer = rng.choice(people + others + [None])
        month = rng.choice([7, 8, 9, 9, 9])
        lines = [(rng.choice("1133456"), f"{rng.randint(1, 3_000_000) / 100:.2f}", rng.choice(RATES[status[seller.pk]]))
                 for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.2:  # two lines at the same rate and class: one trace row
            lines.append(lines[0])
        confirmed = date(2026, 9, rng.randint(1, 30)) if buyer is not None and rng.random() < 0.5 else None
        inv = factory.invoice(seller, buyer, datetime(2026, month, rng.randint(1, 28), rng.randint(0, 23)), lines,
                              kind=rng.choice(["special", "ordinary"]), confirmed=confirmed)
        if rng.random() < 0.15:  # a red invoice in September: full, or partial
            share = Decimal(1) if rng.random() < 0.5 else Decimal("0.4")
            red = [(c, f"{-(Decimal(a) * share).quantize(Decimal('0.01')):.2f}", r) for c, a, r in lines]
            factory.invoice(seller, buyer, datetime(2026, 9, 28, 16), red, kind=inv.invoice_type, red_of=inv.invoice_no)
    # A large red invoice against August: September's net sales of this seller are negative.
    big = factory.invoice(people[0], others[0], datetime(2026, 8, 5), [("1", "9000000.00", "0.13")])
    factory.invoice(people[0], others[0], datetime(2026, 9, 2), [("1", "-9000000.00", "0.13")], red_of=big.invoice_no)
    # An invoice delivered without its lines.
    ImportedInvoice.objects.create(invoice_no="26610000000000999999", invoice_type="special",
                                   issued_at=timezone.make_aware(datetime(2026, 9, 9, 10)),
                                   month="2026-09", seller=people[1], buyer=people[2], buyer_name=people[2].name,
                                   amount=Decimal("1000.00"), tax=Decimal("90.00"), status="normal",
                                   deduction_confirmed_on=date(2026, 9, 20), load=factory.load(), row_hash=1)
    summaries.refresh({summaries.OUTPUT: {"2026-09"}, summaries.INPUT: {"2026-09"}})
    # A previous return on the platform: its line 20 is carried to line 13.
    Return.objects.create(taxpayer_id=people[3].tax_id, taxpayer_name=people[3].name, form="vat_general",
                          period="2026-08", status=Return.FILED, values={"line_20": "1234.56"})
    # Balances carried to lines 13, 25, 36, the 即征即退 column and 加计抵减: one overpaid (a negative line 25,
    # which takes the one-by-one path), one owing; and VAT paid on the platform in September (lines 30, 31).
    for person, values in ((people[4], {"line_20": "10.00", "line_32": "-50.00", "line_38": "300.00",
                                        "super_credit_closing": "75.00", "jz_line_20": "20.00", "jz_line_32": "5.00"}),
                           (people[7], {"line_20": "0.00", "line_32": "800.00", "line_38": "0.00",
                                        "super_credit_closing": "40.00", "jz_line_32": "12.00"})):
        Return.objects.create(taxpayer_id=person.tax_id, taxpayer_name=person.name, form="vat_general",
                              period="2026-08", status=Return.FILED, values=values)
    owing = people[7]
    paid_on = timezone.make_aware(datetime(2026, 9, 12, 10))
    august = Return.objects.get(taxpayer_id=owing.tax_id, period="2026-08")
    july = Return.objects.create(taxpayer_id=owing.tax_id, taxpayer_name=owing.name, form="vat_general",
                                 period="2026-07", status=Return.FILED, values={})
    for ret, item, amount in ((august, "vat", "800.00"), (july, "vat", "100.00"),
                              (august, "vat_immediate_refund", "12.00"), (august, "urban_maintenance_tax", "56.00")):
        Payable.objects.create(ret=ret, taxpayer_id=owing.tax_id, item=item, amount=Decimal(amount),
                               paid=Decimal(amount), due_on=date(2026, 9, 15), status=Payable.PAID, paid_at=paid_on)
    return people


def _interactive(ret: Return) -> tuple[dict, dict, list, str, dict]:
    profile = parties.profile(ret.taxpayer_id)
    cells, traces, profile_data = services.propose(ret.form, profile, parse_period(ret.period))
    values, warnings, payable, _comp = forms.evaluate(ret.form, cells, parse_period(ret.period), profile_data)
    assert ret.profile == json.loads(json.dumps(profile_data)), ret.taxpayer_id
    return services._cells(ret.form, cells), json.loads(json.dumps(traces)), warnings, f"{payable:.2f}", values


@pytest.mark.parametrize("seed", [1, 2])
def test_bulk_prefill_equals_the_interactive_prefill_for_every_taxpayer(seed):
    _district(seed)
    _check(services.batch_prefill("2026-09", on=ON, quarterly=False, chunk=7))


@pytest.mark.django_db(transaction=True)
def test_bulk_prefill_in_worker_processes_equals_the_interactive_prefill():
    if not bulk._parallel():
        pytest.skip("worker processes cannot share an in-memory SQLite database")
    _district(3)
    _check(services.batch_prefill("2026-09", on=ON, quarterly=False, chunk=5))


def _check(job) -> None:
    returns = list(Return.objects.filter(status=Return.PROPOSED).order_by("taxpayer_id"))
    assert job.status == "done" and len(returns) == job.total == 24
    assert {r.form for r in returns} == {"vat_general", "vat_small_scale"}
    refused = 0
    for ret in returns:
        cells, traces, warnings, payable, values = _interactive(ret)
        stored = Prefill.objects.get(ret=ret)
        assert stored.cells == cells, ret.taxpayer_id
        assert ret.values == values, ret.taxpayer_id
        assert ret.warnings == warnings and f"{ret.payable:.2f}" == payable, ret.taxpayer_id
        refused += bool(warnings)
        assert set(stored.traces) == set(traces), ret.taxpayer_id
        for cell, trace in traces.items():
            got = stored.traces[cell]
            assert sorted(got["invoices"]) == sorted(trace["invoices"]), (ret.taxpayer_id, cell)
            assert got["facts"] == trace["facts"], (ret.taxpayer_id, cell)
            assert (got.get("field"), got.get("select")) == (trace.get("field"), trace.get("select")), cell
    assert refused == job.failed >= 1
    assert Return.objects.get(taxpayer_id=factory.uscc(1), period="2026-09").warnings  # red above the month's sales
    assert Decimal(Return.objects.get(taxpayer_id=factory.uscc(4), period="2026-09").values["line_13"]) == Decimal(
        "1234.56")
    overpaid = Return.objects.get(taxpayer_id=factory.uscc(5), period="2026-09").values
    assert (overpaid["line_25"], overpaid["line_36"], overpaid["super_credit_opening"], overpaid["jz_line_13"],
            overpaid["jz_line_25"]) == ("-50.00", "300.00", "75.00", "20.00", "5.00")
    owing = Return.objects.get(taxpayer_id=factory.uscc(8), period="2026-09").values
    assert (owing["line_25"], owing["line_30"], owing["line_31"], owing["jz_line_30"], owing["jz_line_25"]) == (
        "800.00", "800.00", "100.00", "12.00", "12.00")


@pytest.mark.django_db(transaction=True)
def test_the_quarterly_returns_of_a_batch_are_prefilled_in_worker_processes(monkeypatch):
    if not bulk._parallel():
        pytest.skip("worker processes cannot share an in-memory SQLite database")
    _district(3)
    monkeypatch.setattr(services, "ONE_BY_ONE_CHUNK", 2)  # several tasks for the two processes
    job = services.batch_prefill("2026-09", on=ON, chunk=5)
    enterprises = [tid for tid, p in parties.profiles().items() if services.is_enterprise(p)]
    cit = Return.objects.filter(form=Return.CIT_Q, period="2026-Q3")
    assert len(enterprises) > 2 * services.ONE_BY_ONE_CHUNK
    assert sorted(cit.values_list("taxpayer_id", flat=True)) == sorted(enterprises)
    assert job.status == "done" and job.done == job.total == 24 + len(enterprises) + Return.objects.filter(
        form=Return.PROPERTY).count()
    for ret in cit:  # each as the interactive path proposes it
        cells, _traces, _profile = services.propose(Return.CIT_Q, parties.profiles([ret.taxpayer_id])[ret.taxpayer_id],
                                                    parse_period("2026-Q3"))
        assert Prefill.objects.get(ret=ret).cells == services._cells(Return.CIT_Q, cells)
