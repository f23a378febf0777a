"""Registration through the real pages: one question per page, check your answers, a reference;
bad input is a clear field error and changes nothing."""

from __future__ import annotations

import re

import sqlalchemy as sa

from core.accounts.models import MemberRole, Organisation, OrgKind, OrgStatus, User
from core.accounts.uscc import make as make_uscc
from core.audit.models import AuditEvent
from core.jobs.models import OutgoingMail
from core.extensions import db
from tests.core.accounts.conftest import ACCOUNT_ANSWERS, FIRM_CODE, ORG_ANSWERS, post_form


def counts() -> tuple[int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(Organisation.id))),
        db.session.scalar(sa.select(sa.func.count(User.id))),
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id))),
    )


def _mail_to(address: str) -> OutgoingMail:
    return db.session.scalars(sa.select(OutgoingMail).where(OutgoingMail.recipient == address)
                              .order_by(OutgoingMail.id.desc())).first()


def test_firm_registers_and_gets_a_reference(client, app_ctx, register):
    response = register()
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/confirmation")
    page = client.get("/register/confirmation").get_data(as_text=True)
    assert "admin@firm.example.com" in page  # the reference went by mail
    reference = re.search(r"(REG-[A-Z0-9]{4}-[A-Z0-9]{4})", _mail_to("admin@firm.example.com").body).group(1)

    org = db.session.scalar(sa.select(Organisation).where(Organisation.reference == reference))
    assert org.kind == OrgKind.FIRM and org.status == OrgStatus.PENDING
    assert org.uscc == FIRM_CODE and org.district_code == "310104"
    [membership] = org.memberships
    assert membership.role == MemberRole.ADMIN
    assert membership.user.email == "admin@firm.example.com"  # stored lower-case
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organisation.registered"))
    assert event.subject_id == str(org.id) and event.district_code == "310104"

    status = client.get(f"/register/status?reference={reference}").get_data(as_text=True)
    assert org.name in status and "tag-warn" in status


def test_the_new_admin_can_sign_in_while_waiting(client, app_ctx, register):
    register()
    page = client.get("/auth/login").get_data(as_text=True)
    from tests.factories import csrf_token

    response = client.post(
        "/auth/login",
        data={"email": ACCOUNT_ANSWERS["email"], "password": ACCOUNT_ANSWERS["password"], "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    dashboard = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Waiting for verification" in dashboard


def test_wrong_check_character_is_a_field_error_and_changes_nothing(client, app_ctx):
    before = counts()
    wrong = FIRM_CODE[:17] + ("0" if FIRM_CODE[17] != "0" else "1")
    post_form(client, "/register/kind", {"kind": "firm"})
    response = post_form(client, "/register/organisation?lang=en", {**ORG_ANSWERS, "uscc": wrong})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error-summary"' in html and 'href="#uscc"' in html
    assert "does not match the check character" in html
    assert 'aria-invalid="true"' in html
    assert counts() == before
    # The draft did not take the answer: the next step sends the user back here.
    assert client.get("/register/account").headers["Location"].endswith("/register/organisation")


def test_other_bad_codes_say_what_is_wrong(client, app_ctx):
    post_form(client, "/register/kind", {"kind": "firm"})
    short = post_form(client, "/register/organisation?lang=en", {**ORG_ANSWERS, "uscc": "9131"}).get_data(as_text=True)
    assert "18 characters" in short
    letters = post_form(client, "/register/organisation?lang=en", {**ORG_ANSWERS, "uscc": "91310104MA1K7777IO"}).get_data(as_text=True)
    assert "not I, O, S, V or Z" in letters


def test_an_early_code_can_be_sent_for_a_check_by_hand(client, app_ctx, register):
    wrong = FIRM_CODE[:17] + ("0" if FIRM_CODE[17] != "0" else "1")
    response = register(org={**ORG_ANSWERS, "uscc": wrong, "uscc_confirmed": "y"})
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.uscc == wrong))
    assert org.status == OrgStatus.PENDING and org.needs_uscc_override


def test_duplicate_uscc_is_a_clear_error_and_changes_nothing(client, app_ctx, make_org):
    make_org(OrgKind.FIRM, uscc=FIRM_CODE)
    before = counts()
    post_form(client, "/register/kind", {"kind": "developer"})
    html = post_form(client, "/register/organisation?lang=en", ORG_ANSWERS).get_data(as_text=True)
    assert "already registered" in html and 'href="#uscc"' in html
    assert counts() == before


def test_an_address_with_an_account_is_never_revealed_and_its_owner_is_told(client, app_ctx, make_user, register, app):
    """The registrant sees exactly what a new address sees; the address's owner gets a mail."""
    owner = make_user(email="admin@firm.example.com")
    before_orgs = counts()[0]
    response = register(account={**ACCOUNT_ANSWERS, "email": "ADMIN@firm.example.com"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/register/confirmation")
    taken_page = client.get("/register/confirmation").get_data(as_text=True)
    assert counts()[0] == before_orgs  # nothing registered under someone else's account
    warning = _mail_to("admin@firm.example.com")
    assert warning.user_id == owner.id and warning.kind == "registration_address_in_use"
    assert "REG-" not in warning.body

    fresh = app.test_client()
    from tests.core.accounts.conftest import post_form as post

    for path, answers in (("/register/kind", {"kind": "firm"}), ("/register/organisation", {**ORG_ANSWERS, "uscc": make_uscc("91310104MA1K77770")}),
                          ("/register/account", {**ACCOUNT_ANSWERS, "email": "someone.new@firm.example.com"}),
                          ("/register/check", {"declaration": "y"})):
        assert post(fresh, path, answers).status_code == 302
    new_page = fresh.get("/register/confirmation").get_data(as_text=True)
    # The two confirmation pages differ only in the address they name.
    assert taken_page.replace("admin@firm.example.com", "X").split("<main")[1].split("</main>")[0] == \
        new_page.replace("someone.new@firm.example.com", "X").split("<main")[1].split("</main>")[0]


def test_a_duplicate_that_appears_before_sending_is_caught_on_the_check_page(client, app_ctx, make_org, register):
    register(submit=False)
    make_org(OrgKind.FIRM, uscc=FIRM_CODE)  # someone else registered the same code meanwhile
    before = counts()
    response = post_form(client, "/register/check?lang=en", {"declaration": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already registered" in html and 'href="/register/organisation"' in html
    assert counts() == before


def test_check_page_needs_the_declaration(client, app_ctx, register):
    register(submit=False)
    before = counts()
    html = post_form(client, "/register/check?lang=en", {}).get_data(as_text=True)
    assert "Confirm that the details are true" in html
    assert counts() == before


def test_passwords_must_match_and_be_long(client, app_ctx, register):
    html = register(account={**ACCOUNT_ANSWERS, "password_confirm": "something else entirely"}).get_data(as_text=True)
    assert 'href="#password_confirm"' in html
    html = register(account={**ACCOUNT_ANSWERS, "password": "short", "password_confirm": "short"}).get_data(as_text=True)
    assert 'href="#password"' in html


def test_owners_assembly_registers_with_filing_record_and_community(client, app_ctx, register):
    answers = {"name": "锦绣苑业主大会", "community": "锦绣苑", "filing_record": "浦房业备〔2024〕第1号", "district_code": "310115"}
    assert register(kind="owners_assembly", org=answers).status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.kind == OrgKind.OWNERS_ASSEMBLY))
    assert (org.community, org.filing_record, org.uscc) == ("锦绣苑", "浦房业备〔2024〕第1号", None)
    # The same filing record again is refused.
    client.cookie_jar.clear() if hasattr(client, "cookie_jar") else None
    post_form(client, "/register/kind", {"kind": "owners_assembly"})
    html = post_form(client, "/register/organisation?lang=en", answers).get_data(as_text=True)
    assert "already registered" in html


def test_district_must_come_from_the_list(client, app_ctx):
    post_form(client, "/register/kind", {"kind": "firm"})
    response = post_form(client, "/register/organisation", {**ORG_ANSWERS, "district_code": "999999"})
    assert response.status_code == 200 and 'href="#district_code"' in response.get_data(as_text=True)


def test_jumping_ahead_goes_back_to_the_first_unanswered_step(client):
    assert client.get("/register/check").headers["Location"].endswith("/register/kind")
    assert client.get("/register/confirmation").headers["Location"].endswith("/register")


def test_unknown_reference_is_a_clear_message(client, app_ctx):
    html = client.get("/register/status?reference=REG-XXXX-XXXX&lang=en").get_data(as_text=True)
    assert "No registration has this reference number" in html


def test_pages_are_in_english_when_chosen(client, app_ctx):
    client.get("/language/en")
    html = client.get("/register").get_data(as_text=True)
    assert "Register an organisation" in html and "Start now" in html
    assert make_uscc("91310104MA1K77771") == FIRM_CODE


def test_a_duplicate_registered_in_the_same_instant_is_caught_by_the_database(client, app_ctx, make_org, register, monkeypatch):
    """Two registrations racing past the checks: the unique constraint refuses the second, clearly."""
    from core.accounts import operations as ops

    register(submit=False)
    make_org(OrgKind.FIRM, uscc=FIRM_CODE)
    monkeypatch.setattr(ops, "uscc_taken", lambda code: False, raising=True)  # the check ran before the other commit
    before = counts()
    response = post_form(client, "/register/check?lang=en", {"declaration": "y"})
    monkeypatch.undo()
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "already registered" in html
    assert counts() == before


def test_a_signed_in_person_registers_another_organisation_with_their_account(client, app_ctx, make_user, login):
    user = make_user(OrgKind.FIRM)
    login(user)
    users_before = db.session.scalar(sa.select(sa.func.count(User.id)))
    post_form(client, "/register/kind", {"kind": "agency"})
    agency_code = make_uscc("91310104MA1K77772")
    assert post_form(client, "/register/organisation", {**ORG_ANSWERS, "name": "第二家代理", "uscc": agency_code}).status_code == 302
    page = client.get("/register/account?lang=en").get_data(as_text=True)
    assert "with the account you already have" in page and user.email in page.replace("<wbr>", "")
    assert post_form(client, "/register/account", {}).status_code == 302
    response = post_form(client, "/register/check?lang=en", {"declaration": "y"})
    assert response.status_code == 302, re.findall(r'<li><a href="[^"]*">([^<]*)', response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users_before
    agency = db.session.scalar(sa.select(Organisation).where(Organisation.uscc == agency_code))
    assert agency.status == OrgStatus.PENDING
    assert {(m.organisation_id, m.role) for m in db.session.get(User, user.id).memberships} >= {(agency.id, MemberRole.ADMIN)}
    assert "第二家代理" in client.get("/switch-role").get_data(as_text=True)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_a_full_width_code_is_read_as_the_plain_code(client, app_ctx, register):
    """Typed on a Chinese keyboard, ９１３１… is the same code as 9131…"""
    assert register(org={**ORG_ANSWERS, "uscc": _full_width(FIRM_CODE)}).status_code == 302
    assert db.session.scalar(sa.select(Organisation.uscc).where(Organisation.uscc == FIRM_CODE)) == FIRM_CODE


def test_digits_of_another_script_are_a_field_error_not_a_server_error(client, app_ctx):
    arabic_indic = FIRM_CODE[:2] + "".join(chr(0x0660 + int(c)) for c in FIRM_CODE[2:8]) + FIRM_CODE[8:]
    post_form(client, "/register/kind", {"kind": "firm"})
    response = post_form(client, "/register/organisation?lang=en", {**ORG_ANSWERS, "uscc": arabic_indic})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'href="#uscc"' in html and "ordinary digits 0-9" in html
