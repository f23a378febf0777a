"""Public answers cached the standard way: ETag and Cache-Control, 304 on revalidation, an answer cache
inside Flask (Flask-Caching on Redis) under which every hook and the rate limit still run, tags that
change exactly when public data changes, and public reads that go on when Redis is gone."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis

from core.db import db
from tests.conftest import IsolatedClient

from .conftest import ago

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@pytest.fixture
def visitor(app):
    """visitor() -> a new browser: its own cookie jar, nothing signed in."""
    return lambda: IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def firm(make_firm):
    return make_firm("上海锦绣物业管理有限公司")


def answers(redis_url) -> list[bytes]:
    return list(redis.Redis.from_url(redis_url).scan_iter("pub:answer:credit:*"))


PUBLIC_PATHS = ("/credit/firms/{uscc}", "/api/v1/credit/lookup?q={uscc}", "/api/v1/credit/firms/{uscc}",
                "/credit/untrustworthy", "/credit/?q=锦绣")


def test_public_answers_carry_a_tag_and_a_short_shared_lifetime(app, visitor, firm):
    for template in PUBLIC_PATHS:
        path = template.format(uscc=firm.uscc)
        response = visitor().get(path)
        assert response.status_code == 200, path
        assert response.headers["ETag"].startswith('W/"') and "zh" in response.headers["ETag"], path
        assert response.headers["Cache-Control"] == f"public, max-age={app.config['CREDIT_PUBLIC_MAX_AGE']}", path
        assert "Cookie" in response.headers["Vary"] and "Set-Cookie" not in response.headers, path
        assert all(h in response.headers for h in SECURITY_HEADERS), path
        again = visitor().get(path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == response.headers["ETag"]
        english = visitor().get(path + ("&" if "?" in path else "?") + "lang=en")
        assert english.headers["ETag"] != response.headers["ETag"]


def test_tags_change_exactly_when_public_data_changes(app_ctx, visitor, firm, published_record, make_firm):
    from credit.models import CorrectionOutcome, Complaint
    from credit.operations import decide_correction, request_correction, submit_complaint

    path = f"/credit/firms/{firm.uscc}"
    tag = lambda: visitor().get(path).headers["ETag"]  # noqa: E731
    first = tag()
    assert tag() == first
    # A write the public never sees (a complaint) leaves every tag as it was.
    submit_complaint({"firm_name": firm.name, "community": "锦绣花园", "district_code": "310115",
                      "description": "电梯停运两周无人维修，多次报修未果。", "complainant_kind": "resident",
                      "complainant_name": "张三"})
    db.session.commit()
    assert Complaint.query.count() == 1 and tag() == first
    record = published_record(firm, "EX-F-06-01", published_at=ago(days=200))
    published = tag()
    assert published != first and visitor().get(path, headers={"If-None-Match": first}).status_code == 200
    assert "94.00" in visitor().get(path).get_data(as_text=True)
    correction = request_correction(record, {"statement": "Rectified the breach in full."}, actor=None)
    db.session.commit()
    assert tag() == published  # a correction request is not public until decided
    decide_correction(correction, {"outcome": CorrectionOutcome.APPROVED, "reasons": "Checked on site, rectified."},
                      actor=None)
    db.session.commit()
    corrected = tag()
    assert corrected != published and "100.00" in visitor().get(path).get_data(as_text=True)
    firm.set_name("上海新名物业管理有限公司")
    db.session.commit()
    assert tag() != corrected and "新名" in visitor().get(path).get_data(as_text=True)


def test_expiry_sweep_moves_the_tag_when_a_period_ends(app_ctx, visitor, firm, published_record):
    from credit.tasks import expire_due_records

    record = published_record(firm, "EX-F-06-01", published_at=ago(days=200))
    record.expires_at = ago(seconds=1)
    db.session.commit()
    path = f"/credit/firms/{firm.uscc}"
    before = visitor().get(path).headers["ETag"]
    assert expire_due_records() == 1
    assert visitor().get(path).headers["ETag"] != before


def test_answers_are_built_once_and_served_through_every_hook(app, app_ctx, visitor, firm, redis_url, monkeypatch):
    import credit.views.public as views

    built = []
    original = views.firm_profile
    monkeypatch.setattr(views, "firm_profile", lambda *a, **k: built.append(1) or original(*a, **k))
    path = f"/credit/firms/{firm.uscc}"
    first, second = visitor().get(path), visitor().get(path)
    assert len(built) == 1 and len(answers(redis_url)) == 1
    assert first.get_data() == second.get_data()
    assert all(h in second.headers for h in SECURITY_HEADERS)


def test_one_request_counts_once_against_the_rate_limit(app, visitor, firm):
    app.config["CREDIT_LOOKUP_PER_MINUTE"] = 3
    try:
        address = {"REMOTE_ADDR": "10.7.7.7"}
        codes = [visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}", environ_base=address).status_code
                 for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]  # the answer cache serves the 2nd and 3rd: each still counts once
        assert visitor().get(f"/credit/firms/{firm.uscc}", environ_base=address).status_code == 429  # one bucket
        refused = visitor().get(f"/api/v1/credit/firms/{firm.uscc}", environ_base=address)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}", environ_base={"REMOTE_ADDR": "10.7.7.8"}).status_code == 200
    finally:
        app.config["CREDIT_LOOKUP_PER_MINUTE"] = 60


def test_signed_in_visitors_and_errors_are_never_cached(client, visitor, firm, supervisor, login, redis_url):
    assert visitor().get("/credit/firms/913100000000000000").status_code == 404
    assert visitor().get("/api/v1/credit/lookup?limit=0&q=abc").status_code == 422
    assert answers(redis_url) == []
    login(supervisor())
    page = client.get(f"/credit/firms/{firm.uscc}")
    assert "/auth/logout" in page.get_data(as_text=True) and page.headers["Cache-Control"] == "no-store"
    assert "ETag" not in page.headers and answers(redis_url) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_public_reads_go_on_when_redis_is_gone(database_url, tmp_path, firm, app_ctx):
    """A throwaway Redis of this test's own, killed while the public lookup keeps answering."""
    from app import create_app
    from config import TestingConfig
    from credit import ratelimit

    port = _free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        own = create_app(TestingConfig(SQLALCHEMY_DATABASE_URI=database_url, RQ_CONNECTION=f"redis://127.0.0.1:{port}/0",
                                       INSTANCE_PATH=str(tmp_path)))
        client = IsolatedClient(own, own.response_class)
        assert client.get(f"/api/v1/credit/lookup?q={firm.uscc}").status_code == 200
        server.kill()
        server.wait(10)
        before = ratelimit.failures()
        for path in (f"/api/v1/credit/lookup?q={firm.uscc}", f"/credit/firms/{firm.uscc}", "/credit/?q=锦绣"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert firm.name in (str(response.get_json()) if response.is_json else response.get_data(as_text=True))
            assert "ETag" not in response.headers
        assert ratelimit.failures() == before + 3  # each request let through is counted (and logged)
    finally:
        if server.poll() is None:
            server.kill()
