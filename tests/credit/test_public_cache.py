"""Stored public answers: served exactly as the application answers, per visitor where it must be,
within the rate limit, and dropped by every write and instant that changes what the public sees."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from credit import cache
from tests.conftest import IsolatedClient
from tests.factories import csrf_token

from .conftest import ago

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@pytest.fixture
def visitor(app):
    """visitor() -> a new browser: its own cookie jar, nothing signed in."""
    return lambda: IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def store(redis_url):
    return redis.Redis.from_url(redis_url)


def entries(store) -> list[bytes]:
    return sorted(store.scan_iter(cache.ENTRY_PREFIX + "*"))


@pytest.fixture
def firm(make_firm):
    return make_firm("上海锦绣物业管理有限公司")


def uncached(app, client_factory, *args, **kwargs):
    app.config["CREDIT_PUBLIC_CACHE"] = False
    try:
        return client_factory().get(*args, **kwargs)
    finally:
        app.config["CREDIT_PUBLIC_CACHE"] = True


def without_token(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value=""', html)


def comparable_headers(response) -> dict:
    return {k: v for k, v in response.headers.items() if k not in ("Set-Cookie", "Date")}


def test_stored_json_answer_is_the_applications_answer(app, visitor, store, firm):
    first = visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}")
    assert len(entries(store)) == 1
    again = visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}")
    plain = uncached(app, visitor, f"/api/v1/credit/lookup?q={firm.uscc}")
    assert again.get_data() == first.get_data() == plain.get_data()
    assert again.get_json()["firms"][0]["name"] == firm.name
    assert comparable_headers(again) == comparable_headers(plain)
    assert again.headers["Cache-Control"] == "no-store" and all(h in again.headers for h in SECURITY_HEADERS)


def test_stored_page_matches_a_fresh_rendering_and_carries_a_working_form_token(app, visitor, store, firm,
                                                                                published_record):
    published_record(firm, "EX-F-06-01", published_at=ago(days=40))
    path = f"/credit/firms/{firm.uscc}"
    visitor().get(path)
    newcomer = visitor()
    served = newcomer.get(path)
    plain = uncached(app, visitor, path)
    assert len(entries(store)) == 1
    assert without_token(served.get_data(as_text=True)) == without_token(plain.get_data(as_text=True))
    assert comparable_headers(served) == comparable_headers(plain)
    assert "94.00" in served.get_data(as_text=True) and all(h in served.headers for h in SECURITY_HEADERS)
    assert served.headers["Set-Cookie"].split("=", 1)[0] == app.config["SESSION_COOKIE_NAME"]
    # The token and the session cookie made for this visitor pass Flask-WTF's check.
    response = newcomer.post(f"{path}/report", data={"csrf_token": csrf_token(served.get_data(as_text=True))})
    assert response.status_code == 302 and "/credit/reports/" in response.headers["Location"]


def test_returning_visitor_keeps_their_session_and_token(visitor, firm):
    path = f"/credit/firms/{firm.uscc}"
    client = visitor()
    client.get(path)
    served = client.get(path)
    assert "Set-Cookie" not in served.headers
    response = client.post(f"{path}/report", data={"csrf_token": csrf_token(served.get_data(as_text=True))})
    assert response.status_code == 302


def test_language_by_parameter_and_by_session(visitor, store, firm):
    path = f"/credit/firms/{firm.uscc}"
    visitor().get(path)
    assert "Credit lookup" in visitor().get(path + "?lang=en").get_data(as_text=True)
    assert "Credit lookup" in visitor().get(path + "?lang=en").get_data(as_text=True)
    english = visitor()
    english.get("/language/en")
    english.get(path)
    page = english.get(path).get_data(as_text=True)
    assert "Credit lookup" in page and 'lang="en"' in page
    assert "信用查询" in visitor().get(path).get_data(as_text=True)
    assert len(entries(store)) == 3
    for _ in range(2):  # an escaped parameter name is still the language choice
        assert 'lang="en"' in visitor().get(path + "?%6Cang=en").get_data(as_text=True)


def test_signed_in_user_is_never_served_a_stored_page(visitor, client, firm, supervisor, login):
    path = f"/credit/firms/{firm.uscc}"
    visitor().get(path)
    visitor().get(path)
    login(supervisor())
    for _ in range(2):
        page = client.get(path)
        assert "/auth/logout" in page.get_data(as_text=True) and page.headers["Cache-Control"] == "no-store"


def test_rate_limit_counts_stored_answers_on_the_same_key(app, visitor, firm):
    app.config["CREDIT_LOOKUP_PER_MINUTE"] = 3
    try:
        address = {"REMOTE_ADDR": "10.7.7.7"}
        codes = [visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}", environ_base=address) for _ in range(5)]
        assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
        refused = codes[3]
        assert refused.mimetype == "application/problem+json" and refused.get_json()["status"] == 429
        assert int(refused.headers["Retry-After"]) > 0
        page = visitor().get(f"/credit/firms/{firm.uscc}", environ_base=address)
        assert page.status_code == 429  # pages share the lookup bucket
        other = visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}", environ_base={"REMOTE_ADDR": "10.7.7.8"})
        assert other.status_code == 200
    finally:
        app.config["CREDIT_LOOKUP_PER_MINUTE"] = 60


def test_errors_are_not_stored(visitor, store):
    missing = visitor().get("/credit/firms/913100000000000000")
    assert missing.status_code == 404
    bad = visitor().get("/api/v1/credit/lookup?limit=0&q=abc")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert entries(store) == []


def _score(client, firm) -> str:
    return re.search(r'class="score">([0-9.]+)<', client.get(f"/credit/firms/{firm.uscc}").get_data(as_text=True)).group(1)


def test_publication_correction_and_rename_are_seen_at_once(app_ctx, visitor, firm, published_record, item):
    from core.extensions import db
    from credit.models import CorrectionOutcome
    from credit.operations import decide_correction, request_correction

    assert _score(visitor(), firm) == "100.00" and _score(visitor(), firm) == "100.00"
    record = published_record(firm, "EX-F-06-01", published_at=ago(days=200))
    assert _score(visitor(), firm) == "94.00"
    correction = request_correction(record, {"statement": "Rectified the breach in full."}, actor=None)
    decide_correction(correction, {"outcome": CorrectionOutcome.APPROVED, "reasons": "Checked on site, rectified."},
                      actor=None)
    db.session.commit()
    assert _score(visitor(), firm) == "100.00"

    assert visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}").get_json()["firms"][0]["name"] == firm.name
    firm.set_name("上海新名物业管理有限公司")
    db.session.commit()
    assert visitor().get(f"/api/v1/credit/lookup?q={firm.uscc}").get_json()["firms"][0]["name"] == firm.name
    assert visitor().get("/api/v1/credit/lookup?q=新名").get_json()["firms"][0]["uscc"] == firm.uscc


def test_grade_threshold_change_is_seen_at_once(app_ctx, visitor, firm):
    from core.extensions import db
    from credit.operations.rules import set_grade

    page = lambda: visitor().get(f"/credit/firms/{firm.uscc}").get_data(as_text=True)  # noqa: E731
    grade = lambda html: re.search(r'class="grade grade-[^"]*">([^<]*)<', html).group(1)  # noqa: E731
    before = grade(page())
    assert grade(page()) == before
    set_grade({"grade": "Z", "min_score": 99, "may_bid": True, "factor": 1.2}, actor=None)
    db.session.commit()
    assert grade(page()) == "Z" != before


def test_rolled_back_writes_do_not_drop_answers_and_bulk_writes_do(app_ctx, visitor, store, firm):
    from core.extensions import db
    from credit.models import CreditSubject

    visitor().get(f"/credit/firms/{firm.uscc}")
    version = store.get(cache.VERSION_KEY)
    firm.qualification = "二级"
    db.session.flush()
    db.session.rollback()
    assert store.get(cache.VERSION_KEY) == version
    db.session.execute(sa.update(CreditSubject).where(CreditSubject.id == firm.id).values(qualification="一级"))
    db.session.commit()
    assert store.get(cache.VERSION_KEY) != version
    assert "一级" in visitor().get(f"/credit/firms/{firm.uscc}").get_data(as_text=True)


def test_page_is_kept_no_longer_than_the_next_expiry(app_ctx, visitor, store, firm, published_record):
    from core.extensions import db

    record = published_record(firm, "EX-F-06-01", published_at=ago(days=200))
    record.expires_at = ago(seconds=-20)  # ends in 20 seconds
    db.session.commit()
    visitor().get(f"/credit/firms/{firm.uscc}")
    (key,) = entries(store)
    assert 0 < store.pttl(key) <= 20_000


def test_next_change_covers_expiry_correction_and_project_managers(app_ctx, firm, make_manager, published_record):
    from core.extensions import db
    from credit.public import firm_profile

    record = published_record(firm, "EX-F-06-01", published_at=ago(days=200))
    profile = firm_profile(firm)
    assert profile.next_change <= record.expires_at
    manager = make_manager(firm)
    manager_record = published_record(manager, "EX-P-01-02", published_at=ago(days=10))
    manager_record.expires_at = ago(seconds=-60)
    db.session.commit()
    assert firm_profile(firm).next_change <= manager_record.expires_at


def test_served_as_of_time_is_the_current_minute(app_ctx, visitor, firm):
    path = f"/credit/firms/{firm.uscc}"
    visitor().get(path)
    served = visitor().get(path).get_data(as_text=True)
    plain = uncached(app_ctx, visitor, path).get_data(as_text=True)
    pattern = r"As of [^<]+\.|截至[^<]+"
    assert re.search(pattern, served).group(0) == re.search(pattern, plain).group(0)


def test_expires_within_the_cap(app_ctx):
    assert cache.ttl_ms(None) == cache.MAX_TTL_SECONDS * 1000
    assert cache.ttl_ms(ago(seconds=-10)) <= 10_000
    assert cache.ttl_ms(ago(days=-30)) == cache.MAX_TTL_SECONDS * 1000
    assert cache.ttl_ms(ago(seconds=5)) < 0
    assert timedelta(seconds=cache.MAX_TTL_SECONDS) <= timedelta(minutes=5)


def test_only_anonymous_visitors_are_served_from_the_store(app, visitor, store, firm):
    path = f"/credit/firms/{firm.uscc}"
    visitor().get(path)
    (key,) = entries(store)
    store.set(key, store.get(key).replace(firm.name.encode(), "STORED-COPY".encode()), keepttl=True)
    assert "STORED-COPY" in visitor().get(path).get_data(as_text=True)

    def with_cookie(name, value):
        client = visitor()
        client.set_cookie(name, value)
        return client.get(path)

    sent_to_the_app = [
        visitor().get(path, headers={"Authorization": "Bearer not-a-token"}),
        with_cookie("remember_token", "1|abc"),
        with_cookie(app.config["SESSION_COOKIE_NAME"], "eyJmb28iOiJiYXIifQ.forged.sig"),
    ]
    for i, response in enumerate(sent_to_the_app):
        assert response.status_code == 200 and "STORED-COPY" not in response.get_data(as_text=True), i
        assert firm.name in response.get_data(as_text=True)


def test_made_up_parameters_are_answered_but_never_stored(visitor, store, firm):
    for variant in ("x=1", "x=2", "lang=en&lang=zh_CN", "utm_source=a"):
        assert visitor().get(f"/credit/firms/{firm.uscc}?{variant}").status_code == 200
    assert entries(store) == []
    visitor().get(f"/credit/firms/{firm.uscc}?lang=en")
    assert len(entries(store)) == 1


def test_a_lost_version_key_never_brings_old_answers_back(app_ctx, visitor, store, firm):
    from core.extensions import db

    path = f"/credit/firms/{firm.uscc}"
    visitor().get(path)
    firm.set_name("上海锦绣新名物业有限公司")
    db.session.commit()
    store.delete(cache.VERSION_KEY)  # evicted or deleted by hand
    for _ in range(6):  # later writes: a restarted counter would come back to the stored answer's version
        cache.bump(store)
        assert "锦绣新名" in visitor().get(path).get_data(as_text=True)
