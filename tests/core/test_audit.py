"""The audit chain: verification, tampering in SQL, and concurrent appends."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from core.audit.models import AuditEvent
from core.audit.operations import GENESIS, record_event, verify_chain
from core.extensions import db


def _write_events(user, n):
    for i in range(n):
        record_event("test.event", ("thing", i), actor=user, data={"i": i}, details={"i": i})
        db.session.commit()


def test_chain_links_from_genesis_and_verifies(make_user):
    user = make_user()
    _write_events(user, 5)
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:]))
    result = verify_chain()
    assert result.ok and result.checked == 5


def test_rolled_back_transaction_leaves_no_event(make_user):
    user = make_user()
    record_event("test.event", ("thing", 1), actor=user)
    db.session.rollback()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_tampered_row_is_caught(make_user):
    _write_events(make_user(), 4)
    db.session.execute(sa.text("UPDATE audit_event SET action = 'test.other' WHERE seq = 3"))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_seq == 3
    assert "hash" in result.reason


def test_deleted_row_is_caught(make_user):
    _write_events(make_user(), 4)
    db.session.execute(sa.text("DELETE FROM audit_event WHERE seq = 2"))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_seq == 2
    assert "missing" in result.reason


def test_events_cut_from_the_end_are_caught_against_a_checkpoint(make_user):
    _write_events(make_user(), 4)
    head = verify_chain().head
    db.session.execute(sa.text("DELETE FROM audit_event WHERE seq >= 3"))
    db.session.commit()
    assert verify_chain().ok  # links alone cannot see a cut tail
    result = verify_chain(checkpoint=(4, head))
    assert not result.ok and result.broken_seq == 3


def test_rewritten_chain_differs_from_checkpoint(make_user):
    _write_events(make_user(), 3)
    head = verify_chain().head
    db.session.execute(sa.text("UPDATE audit_event SET hash = :h WHERE seq = 3"), {"h": "f" * 64})
    db.session.commit()
    result = verify_chain(checkpoint=(3, head))
    assert not result.ok and result.broken_seq == 3


def test_reordered_rows_are_caught(make_user):
    _write_events(make_user(), 4)
    # Swap the positions of events 2 and 3 (through a free number, as seq is unique).
    db.session.execute(sa.text("UPDATE audit_event SET seq = 1000 WHERE seq = 2"))
    db.session.execute(sa.text("UPDATE audit_event SET seq = 2 WHERE seq = 3"))
    db.session.execute(sa.text("UPDATE audit_event SET seq = 3 WHERE seq = 1000"))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_seq == 2


def test_concurrent_requests_never_fork_the_chain(app, make_user):
    """Many threads commit events at once; the chain stays one line with no gap."""
    user_id = make_user().id
    threads, per_thread, errors = 8, 15, []

    def worker():
        with app.app_context():
            from core.accounts.models import User

            user = db.session.get(User, user_id)
            try:
                _write_events(user, per_thread)
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert errors == []
    result = verify_chain()
    assert result.ok and result.checked == threads * per_thread


def test_verify_command(app, make_user):
    _write_events(make_user(), 2)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 2 events" in ok.output
    head = next(line for line in ok.output.splitlines() if line.startswith("head ")).split(" ", 1)[1]
    assert runner.invoke(args=["audit", "verify", "--checkpoint", head]).exit_code == 0
    db.session.execute(sa.text("UPDATE audit_event SET subject_id = 'x' WHERE seq = 1"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "BROKEN at event 1" in broken.output


def test_supervisor_reads_only_their_district(client, make_user, make_org, login):
    from core.accounts.models import OrgKind

    xuhui_firm = make_user(org=make_org(OrgKind.FIRM, district_code="310104"))
    pudong_firm = make_user(org=make_org(OrgKind.FIRM, district_code="310115"))
    record_event("test.xuhui", ("thing", "x1"), actor=xuhui_firm, district="310104")
    record_event("test.pudong", ("thing", "p1"), actor=pudong_firm, district="310115")
    db.session.commit()
    bureau = make_org(OrgKind.DISTRICT_BUREAU, district_code="310104", name="徐汇区房管局")
    supervisor = make_user(org=bureau)
    login(supervisor)
    page = client.get("/audit/").get_data(as_text=True)
    assert "test.xuhui" in page and "test.pudong" not in page


def _rewrite_from(seq: int, **changes):
    """What someone with database access would do: change an event and recompute every hash after it."""
    from core.audit.operations import event_hash

    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)).all()
    before = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.seq == seq - 1)) or GENESIS
    # Hashes are unique: clear the old ones first, then write the recomputed chain.
    for row in rows:
        row.hash, row.prev_hash = f"old-{row.id}", f"old-prev-{row.id}"
    db.session.flush()
    for row in rows:
        for name, value in changes.items() if row.seq == seq else ():
            setattr(row, name, value)
        row.prev_hash = before
        row.hash = event_hash(row.seq, before, row)
        before = row.hash
    db.session.commit()


def test_a_rewritten_chain_with_recomputed_hashes_is_caught_and_the_changed_event_named(make_user):
    _write_events(make_user(), 6)
    _rewrite_from(3, details={"i": 999})
    result = verify_chain()
    assert not result.ok and result.broken_seq == 3 and "MAC" in result.reason


def test_stripped_macs_are_caught_against_the_signed_head(make_user):
    from core.audit.operations import sign_chain_head

    _write_events(make_user(), 4)
    sign_chain_head("test")
    db.session.commit()
    db.session.execute(sa.text("UPDATE audit_event SET mac = NULL"))
    db.session.commit()
    _rewrite_from(2, details={"i": 555})
    result = verify_chain()
    assert not result.ok and result.broken_seq == 1 and "no MAC" in result.reason


def test_a_cut_tail_is_caught_against_the_signed_head_even_when_its_row_is_deleted(make_user):
    from core.audit.operations import sign_chain_head

    _write_events(make_user(), 5)
    sign_chain_head("tender_deadline:T-TEST")
    db.session.commit()
    db.session.execute(sa.text("DELETE FROM audit_event WHERE seq >= 4"))
    db.session.execute(sa.text("DELETE FROM audit_head"))  # the file beside the keys still holds it
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.broken_seq == 4 and "cut from the end" in result.reason


def test_a_forged_signed_head_is_refused(make_user, app):
    from core.audit.models import AuditHead
    from core.audit.operations import sign_chain_head

    _write_events(make_user(), 3)
    sign_chain_head("test")
    db.session.commit()
    db.session.execute(sa.update(AuditHead).values(seq=2))
    db.session.commit()
    result = verify_chain()
    assert not result.ok and "does not verify" in result.reason


def test_the_head_is_signed_periodically_only_when_it_moved(make_user):
    from core.audit.models import AuditHead
    from core.audit.tasks import sign_audit_head

    _write_events(make_user(), 2)
    assert sign_audit_head() == 2
    assert sign_audit_head() is None
    _write_events(make_user(), 1)
    assert sign_audit_head() >= 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditHead)) == 2
    assert verify_chain().ok


def test_a_rolled_back_savepoint_drops_only_its_own_events(make_user):
    user = make_user()
    record_event("test.kept_before", ("thing", "a"), actor=user)
    savepoint = db.session.begin_nested()
    record_event("test.dropped", ("thing", "b"), actor=user)
    savepoint.rollback()
    kept_savepoint = db.session.begin_nested()
    record_event("test.kept_inside", ("thing", "c"), actor=user)
    kept_savepoint.commit()
    db.session.commit()
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("test.%"))
                                 .order_by(AuditEvent.seq)).all()
    assert actions == ["test.kept_before", "test.kept_inside"]
