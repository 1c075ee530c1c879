import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from tests.conftest import on_postgres
from zhishui.core import audit
from zhishui.core.models import AuditChainHead, AuditEvent

pytestmark = pytest.mark.django_db


def _events(n):
    return [audit.record("test.event", username="tester", object_type="thing", object_id=str(i),
                         detail={"i": i, "名称": "测试"}) for i in range(n)]


def test_chain_links_each_event_to_its_predecessor():
    events = _events(5)
    assert [e.id for e in events] == list(range(events[0].id, events[0].id + 5))
    for prev, ev in itertools.pairwise(events):
        assert ev.prev_hash == prev.hash
        assert ev.hash == audit.event_hash(ev)
    report = audit.verify_chain()
    assert report.ok and report.checked >= 5


def test_verify_names_the_first_modified_event():
    events = _events(6)
    target = events[3]
    with connection.cursor() as cur:
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cur.execute("UPDATE core_auditevent SET reason = 'tampered' WHERE id = %s", [target.id])
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_at == target.id
    assert "modified" in report.problem


def test_verify_detects_a_removed_event():
    events = _events(4)
    with connection.cursor() as cur:
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cur.execute("DELETE FROM core_auditevent WHERE id = %s", [events[1].id])
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    report = audit.verify_chain()
    assert report.broken_at == events[1].id


def test_model_refuses_update_and_delete():
    ev = _events(1)[0]
    ev.reason = "changed"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=ev.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=ev.pk).delete()
    assert AuditEvent.objects.get(pk=ev.pk).reason == ""


@pytest.mark.skipif(not on_postgres(), reason="the database trigger exists on PostgreSQL")
def test_postgres_refuses_raw_update_and_delete():
    ev = _events(1)[0]
    for sql in ("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [ev.id])
    assert AuditEvent.objects.get(pk=ev.pk).reason == ""


def test_purge_refuses_events_younger_than_180_days():
    _events(2)
    with pytest.raises(ValueError, match="180"):
        audit.purge_before(timezone.now() - timedelta(days=179))
    assert AuditEvent.objects.count() >= 2


def test_purge_of_old_events_keeps_the_chain_verifiable():
    events = _events(3)
    old = timezone.now() - timedelta(days=200)
    with connection.cursor() as cur:  # age two events as if recorded 200 days ago
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cur.execute("UPDATE core_auditevent SET at = %s WHERE id <= %s", [old, events[1].id])
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    # Re-hash the aged events so the chain is valid before the purge.
    head_prev = audit.GENESIS
    rows = list(AuditEvent.objects.order_by("id"))
    with connection.cursor() as cur:
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        for ev in rows:
            ev.prev_hash = head_prev
            ev.hash = audit.event_hash(ev)
            cur.execute("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                        [ev.prev_hash, ev.hash, ev.id])
            head_prev = ev.hash
        if on_postgres():
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    AuditChainHead.objects.filter(pk=1).update(last_hash=head_prev, last_seq=rows[-1].id)
    assert audit.verify_chain().ok
    removed = audit.purge_before(timezone.now() - timedelta(days=190))
    assert removed == len([r for r in rows if r.at < timezone.now() - timedelta(days=190)])
    assert not AuditEvent.objects.filter(id__lte=events[1].id).exists()
    report = audit.verify_chain()
    assert report.ok, report.problem


def test_audit_verify_command_exit_codes(capsys):
    _events(2)
    call_command("audit", "verify")
    assert "chain intact" in capsys.readouterr().out
