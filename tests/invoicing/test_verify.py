"""Verification (查验): by number, QR, XML and OFD; tampering; hostile files; rate limit; the CLI."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from tests.invoicing.helpers import SELLER, invoice_request
from zhishui.core import sm2
from zhishui.core.errors import ValidationFailure
from zhishui.invoicing import documents, services, signing, verification, xmldoc
from zhishui.invoicing.ledger import verify_ledger
from zhishui.invoicing.models import Invoice, VerificationLog

pytestmark = pytest.mark.django_db
SAMPLE = Path("/work/shared/data/samples/ofd/999.ofd")


def issued() -> Invoice:
    _status, receipt, _ = services.issue(seller_id=SELLER, data=invoice_request())
    return Invoice.objects.get(number=receipt["number"])


def test_verify_by_number_date_and_total():
    inv = issued()
    day = inv.issued_at.astimezone(documents.timezone.get_current_timezone()).date()
    report = verification.verify_number(inv.number, day.isoformat(), "1060.00")
    assert report.ok and report.ours and report.status == "normal"
    assert {c.name for c in report.checks} >= {"digest", "signature", "chain", "date_match", "total_match"}
    wrong = verification.verify_number(inv.number, day.isoformat(), "1060.01")
    assert not wrong.ok and "seller_name" not in wrong.fields  # reveals nothing without the right figures
    missing = verification.verify_number("26611000000000099999", day.isoformat(), "1.00")
    assert missing.outcome == "not_found"
    with pytest.raises(ValidationFailure):
        verification.verify_number("123", day.isoformat(), "1.00")


def test_verify_by_qr_and_status_after_red_letter():
    inv = issued()
    assert verification.verify_qr(documents.verify_url(inv)).ok
    services.reverse_directly(inv.number, seller_id=SELLER, full=False,
                              lines=[{"line_no": 1, "amount": "100.00"}])
    report = verification.verify_qr(documents.qr_payload(inv))
    assert report.ok and report.status == "partly_red"
    with pytest.raises(ValidationFailure):
        verification.verify_qr("not a code")


def test_xml_round_trip_verifies_and_detects_changes():
    inv = issued()
    data = xmldoc.render(inv)
    assert b"<EInvoice>" in data and b"<TaxSupervisionInfo>" in data and b"IssuItemInformation" in data
    report = verification.verify_file("invoice.xml", data)
    assert report.ok, [c.as_dict() for c in report.failed()]
    assert {"file_digest", "signature", "record_match", "digest", "chain"} <= {c.name for c in report.checks}
    forged = data.replace(b"<TotalAmWithoutTax>1000.00", b"<TotalAmWithoutTax>9000.00")
    report = verification.verify_file("invoice.xml", forged)
    failed = {c.name for c in report.failed()}
    assert "file_digest" in failed and "record_match" in failed and "arithmetic" in failed
    assert any("amount" in c.detail for c in report.failed() if c.name == "record_match")


def _tamper(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # A superuser session bypassing every trigger: what an attacker with the database owner's rights does.
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute(sql, params)
            cur.execute("SET LOCAL session_replication_role = origin")
        else:
            cur.execute("DROP TRIGGER IF EXISTS invoicing_invoice_immutable")
            cur.execute(sql, params)


def test_tampering_with_the_stored_invoice_is_caught():
    inv, later = issued(), issued()
    _tamper("UPDATE invoicing_invoice SET buyer_name = 'forged' WHERE number = %s", [inv.number])
    day = inv.issued_at.astimezone(documents.timezone.get_current_timezone()).date()
    report = verification.verify_number(inv.number, day, "1060.00")
    assert [c.name for c in report.failed()] == ["digest"]
    ledger = verify_ledger()
    assert not ledger.ok and ledger.broken_number == inv.number and "modified" in ledger.problem
    assert later.number != inv.number


def test_a_swapped_signature_is_caught_on_every_request(monkeypatch):
    # Another invoice's genuine signature under the same key: only the SM2 check can tell.
    monkeypatch.setattr(sm2, "_tables", {})
    inv, later = issued(), issued()
    day = inv.issued_at.astimezone(documents.timezone.get_current_timezone()).date()
    assert verification.verify_number(inv.number, day, "1060.00").ok
    assert list(sm2._tables) == [bytes.fromhex(signing.key_by_id(inv.key_id).public_key)]  # the table path
    _tamper("UPDATE invoicing_invoice SET signature = %s WHERE number = %s", [later.signature, inv.number])
    with mock.patch.object(signing, "sm2_verify", wraps=signing.sm2_verify) as sm2_verify:
        for _ in range(2):
            report = verification.verify_number(inv.number, day, "1060.00")
            assert [c.name for c in report.failed()] == ["signature"] and report.outcome == "invalid"
    assert sm2_verify.call_count == 2  # checked each time, not remembered
    assert not signing.verify_digest(inv.key_id, inv.digest, "zz")  # not hex
    assert not signing.verify_digest("SM2-unknown", inv.digest, later.signature)
    ledger = verify_ledger()
    assert not ledger.ok and ledger.broken_number == inv.number and ledger.problem == "the signature does not verify"


def test_the_real_ofd_sample_parses_and_verifies():
    report = verification.verify_file("999.ofd", SAMPLE.read_bytes())
    assert report.ok, [c.as_dict() for c in report.failed()]
    names = [c.name for c in report.checks]
    assert names.count("ofd_check_value") == 20
    assert {"ofd_signature_digest", "ofd_signer_signature", "ofd_seal_signature", "ofd_validity"} <= set(names)
    assert report.fields["number"] == "12235358" and report.fields["total"] == "10600.00"
    assert any("证书链" in n for n in report.notes) and not report.ours


def _rezip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in files.items():
            z.writestr(name, body)
    return out.getvalue()


def _sample_files() -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLE) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_a_modified_ofd_fails_its_check_values():
    files = _sample_files()
    files["Doc_0/Attachs/original_invoice.xml"] = files["Doc_0/Attachs/original_invoice.xml"].replace(
        b"10600.00", b"19600.00")
    report = verification.verify_file("999.ofd", _rezip(files))
    failed = [c for c in report.failed()]
    assert [c.name for c in failed] == ["ofd_check_value", "arithmetic"]
    assert "original_invoice.xml" in failed[0].label_en


@pytest.mark.parametrize(("name", "payload", "message"), [
    ("x.ofd", b"<?xml version='1.0'?><EInvoice/>", "扩展名"),
    ("x.xml", b"PK\x03\x04garbage", "扩展名"),
    ("x.pdf", b"%PDF-1.7", "既不是XML也不是OFD"),
    ("x.xml", b"<EInvoice><EInvoiceData>", "XML格式不正确"),
    ("x.xml", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><EInvoice>&x;</EInvoice>',
     "DTD"),
    ("x.xml", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>', "DTD"),
    ("x.xml", b"<html><body/></html>", "不是电子发票XML"),
])
def test_hostile_or_wrong_files_get_clear_errors(name, payload, message):
    with pytest.raises(ValidationFailure) as exc:
        verification.verify_file(name, payload)
    assert message in exc.value.errors[0].message_zh and exc.value.errors[0].field == "file"


def test_zip_bomb_and_path_traversal_are_refused():
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", b"<a/>")
        z.writestr("Doc_0/big.bin", b"\0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationFailure) as exc:
        verification.verify_file("b.ofd", bomb.getvalue())
    assert "压缩炸弹" in exc.value.errors[0].message_zh
    for evil in ("../../etc/passwd", "/abs/OFD.xml", "Doc_0\\..\\x", "C:/x"):
        with pytest.raises(ValidationFailure) as exc:
            verification.verify_file("t.ofd", _rezip({"OFD.xml": b"<a/>", evil: b"x"}))
        assert "路径" in exc.value.errors[0].message_zh


def test_api_verification_is_public_logged_and_rate_limited(client, monkeypatch):
    inv = issued()
    day = inv.issued_at.astimezone(documents.timezone.get_current_timezone()).date().isoformat()
    monkeypatch.setenv("ZHISHUI_VERIFY_RATE_LIMIT", "3")
    body = {"number": inv.number, "date": day, "total": "1060.00"}
    for _ in range(3):
        response = client.post("/api/v1/invoicing/verify", body, content_type="application/json")
        assert response.status_code == 200 and response.json()["ok"]
    assert client.post("/api/v1/invoicing/verify", body, content_type="application/json").status_code == 429
    logs = list(VerificationLog.objects.all())
    assert len(logs) == 3 and all(log.invoice_number == inv.number for log in logs)
    assert all("127.0.0.1" not in log.client for log in logs)
    upload = client.post("/api/v1/invoicing/verify/file",
                         {"file": io.BytesIO(b"<x/>")}, REMOTE_ADDR="10.0.0.9")
    assert upload.status_code == 422


def test_cli_verify_exit_codes(tmp_path, capsys):
    call_command("invoice", "verify", str(SAMPLE))
    out = capsys.readouterr().out
    assert "12235358" in out and out.count("[OK  ]") == 27
    inv = issued()
    good = tmp_path / "good.xml"
    good.write_bytes(xmldoc.render(inv))
    call_command("invoice", "verify", str(good))
    assert "record" not in capsys.readouterr().err
    bad = tmp_path / "bad.xml"
    bad.write_bytes(xmldoc.render(inv).replace(b"1060.00", b"1061.00"))
    with pytest.raises(CommandError) as exc:
        call_command("invoice", "verify", str(bad))
    assert exc.value.returncode == 1
    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EInvoice>&e;</EInvoice>')
    with pytest.raises(CommandError) as exc:
        call_command("invoice", "verify", str(hostile))
    assert exc.value.returncode == 1


def test_cli_verify_ledger_and_rotate_key(capsys):
    issued()
    call_command("invoice", "verify-ledger")
    assert "ledger intact: 1" in capsys.readouterr().out
    call_command("invoice", "rotate-key", "--reason", "test")
    assert "new signing key" in capsys.readouterr().out
    later = issued()
    first = Invoice.objects.order_by("seq").first()
    assert later.key_id != first.key_id
    call_command("invoice", "verify-ledger")  # old invoices still verify with the retired key


def test_a_red_invoice_round_trips_through_xml_and_pdf():
    from zhishui.invoicing import pdfdoc

    inv = issued()
    red = services.reverse_directly(inv.number, seller_id=SELLER, full=False,
                                    lines=[{"line_no": 1, "amount": "250.00", "quantity": "0.5"}])
    data = xmldoc.render(red)
    assert b"<OriginalInvoiceNumber>" + inv.number.encode() in data and b"-250.00" in data
    report = verification.verify_file("red.xml", data)
    assert report.ok and report.fields["red_of"] == inv.number, [c.as_dict() for c in report.failed()]
    day = documents.timezone.localtime(inv.issued_at).date()
    assert verification.verify_number(inv.number, day, "1060.00").status == "partly_red"
    pdf = pdfdoc.render(red)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_a_long_invoice_prints_on_several_pages():
    from tests.invoicing.helpers import SOFTWARE
    from zhishui.invoicing import pdfdoc

    lines = [{"goods_code": SOFTWARE, "name": f"服务{i}", "amount": "10.00", "tax_rate": "0.06"} for i in range(25)]
    _s, receipt, _r = services.issue(seller_id=SELLER, data=invoice_request(lines=lines))
    pdf = pdfdoc.render(Invoice.objects.get(number=receipt["number"]))
    assert b"/Count 3" in pdf  # 25 lines, 10 per page
