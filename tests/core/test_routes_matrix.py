"""Every route × every role: the status each gets follows from the route's declared access rule.

The walk reads ``app.url_map`` when the test runs, so new routes are covered as they are added.
For each rule and method, anonymous and one signed-in user per platform role request the route
(GET, or POST with a valid CSRF token) and:

* a route without an access rule fails the test;
* a route whose rule excludes the role answers 401 (API) or a redirect to the sign-in page (HTML)
  to the anonymous visitor, and 403 to a signed-in user;
* a role the rule allows never gets 401 or 403 (nor the sign-in redirect);
* the routes with a public rule must be exactly the ones listed in ``EXPECTED_PUBLIC``, so a route
  made public by accident fails here.

URL parameters are filled with real objects made for the test (``PARAMS``); a parameter this file
does not know yet gets a value no object has, which still proves the rule (it is enforced before
the view runs) and lets an allowed role get at most a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from werkzeug.routing import IntegerConverter

from core.accounts import operations as ops
from core.accounts.models import MemberRole, Membership, OrgKind, OrgStatus, Role
from core.authz import rule_for
from core.extensions import db
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, csrf_token

# Routes anyone may call, signed in or not. Add a route here only when it is meant to be public.
EXPECTED_PUBLIC = frozenset({
    # pages for everyone
    "core.home", "core.set_language", "api_docs.reference", "api-docs.openapi_json",
    # signing in and password reset
    "auth.login", "auth.second_factor", "auth.reset_request", "auth.reset_password",
    # registration of an organisation and its status
    "accounts.register", "accounts.register_kind", "accounts.register_organisation",
    "accounts.register_account", "accounts.register_check", "accounts.register_done",
    "accounts.registration_status", "accounts_api.RegistrationStatus",
    # the public credit registry: lookup, reports, residents' complaints
    "credit.lookup", "credit.firm", "credit.agency", "credit.manager", "credit.report", "credit.verify",
    "credit.firm_report", "credit.manager_report", "credit.manager_by_id", "credit.untrustworthy",
    "credit.complaint_start", "credit.complaint_firm", "credit.complaint_place", "credit.complaint_details",
    "credit.complaint_evidence", "credit.complaint_contact", "credit.complaint_check", "credit.complaint_done",
    "credit.complaint_track", "credit.complaint_upload_preview",
    "credit_api.lookup", "credit_api.firm", "credit_api.firm_score", "credit_api.firm_eligibility",
    "credit_api.manager", "credit_api.manager_by_id", "credit_api.report",
    # sealing tools that run in anyone's browser, and the platform's public keys
    "sealing.inspect", "sealing.receipt", "sealing_api.PlatformKey", "sealing_well_known_key",
    # tender announcements, their documents, the countdown's clock and the register of agencies
    "tender.index", "tender.detail", "tender.document", "tender.server_time", "tender.agency_register",
    "tender.agency_page", "tenders_api.Tenders", "tenders_api.TenderDetail", "tenders_api.Documents",
    # the signed list of sealed bids, published at the deadline (no names)
    "bidding.sealed_list", "bidding.sealed_list_json", "bidding_api.SealedList",
    # the public record of a panel draw (commitment, pseudonymous candidates, seed and result)
    "evaluation.draw", "evaluation.draw_json",
    # the public statistics of an opening: how many bids were received, valid and invalid
    "bid_opening.statistics",
})

# Refusals that come from an object-level business rule, not from the route's rule: (endpoint, role)
# with the reason. Keep this short; each entry is a decision someone can read and question.
OBJECT_LEVEL_REFUSALS = {
    **{
        ("auth.remove_second_factor", role): "these roles must keep a second factor, so turning it off is refused"
        for role in (Role.SUPERVISOR, Role.EXPERT, Role.OPERATOR)
    },
}

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
ROLES: tuple[Role | None, ...] = (None, *Role)


@dataclass
class World:
    """The objects whose ids fill URL parameters, and one user per role."""

    users: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)


def make_world(make_org, make_user) -> World:
    world = World()
    ops.ensure_bureaus()
    db.session.commit()
    city = ops.bureau_for(None)
    orgs = {
        Role.TENDERER: make_org(OrgKind.DEVELOPER),
        Role.AGENCY: make_org(OrgKind.AGENCY),
        Role.FIRM: make_org(OrgKind.FIRM),
        Role.SUPERVISOR: city,  # the city bureau: no district limit on object checks
        Role.EXPERT: city,
        Role.OPERATOR: make_org(OrgKind.OPERATOR),
    }
    for role, org in orgs.items():
        member_role = MemberRole.EXPERT if role == Role.EXPERT else MemberRole.ADMIN
        world.users[role] = make_user(org.kind, role=member_role, org=org)
        assert world.users[role].memberships[0].platform_role == role
    pending = make_org(OrgKind.FIRM, status=OrgStatus.PENDING, reference=ops.new_reference())
    outsider = make_user(OrgKind.FIRM, org=pending)
    world.params = {
        "org_id": pending.id,
        "membership_id": db.session.scalar(db.select(Membership.id).where(Membership.user_id == outsider.id)),
        "reference": pending.reference,
        "uscc": orgs[Role.FIRM].uscc,
        "lang": "en",
        # The evaluation pages: a part, a lot step, a bid code and a document number that exist on every panel.
        "part": "technical", "step": "prepare", "code": "A", "n": 1,
    }
    from tests.tender.tenders.helpers import world_tender

    # A tender of the world's tenderer, run by the world's agency, with a question of the world's firm.
    world.params.update(world_tender(orgs[Role.TENDERER], orgs[Role.AGENCY], orgs[Role.FIRM], world.users[Role.TENDERER]))
    world.params["objection_id"] = opening_objection(world.params["tender_id"], orgs[Role.FIRM], world.users[Role.FIRM])
    return world


def opening_objection(tender_id: int, firm, user) -> int:
    """An objection at the world tender's opening (its ceremony routes take the objection's id)."""
    from core import clock
    from tender.bidding.models import Opening, OpeningObjection

    now = clock.now()
    opening = Opening(tender_id=tender_id, scheduled_at=now, quorum_due_at=now)
    db.session.add(opening)
    db.session.flush()
    objection = OpeningObjection(opening_id=opening.id, firm_id=firm.id, raised_by_id=user.id, text="开标异议")
    db.session.add(objection)
    db.session.commit()
    return objection.id


def fill(rule, world: World) -> dict:
    """Values for the rule's URL parameters: real ids where known, else ones no object has."""
    values = {}
    for name in rule.arguments:
        if name in world.params:
            values[name] = world.params[name]
            continue
        converter = type(rule._converters[name]).__name__
        if isinstance(rule._converters[name], IntegerConverter):
            values[name] = 987654
        elif converter == "AnyConverter":
            values[name] = next(iter(rule._converters[name].items)) if hasattr(rule._converters[name], "items") else "x"
        else:
            values[name] = "no-such-object"
    return values


def sign_in(client, user) -> None:
    """Through the real forms, with a fresh authenticator code when the user has one."""
    from core.auth import totp

    if user.has_second_factor:
        user.totp_last_step = None  # each sign-in of this walk may reuse the current step
        db.session.commit()
    page = client.get("/auth/login")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    if response.headers.get("Location", "").endswith("/auth/second-factor"):
        page = client.get("/auth/second-factor")
        code = totp.code_at(user.totp_secret, totp.current_step())
        response = client.post("/auth/second-factor", data={"code": code, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302 and "/auth/" not in response.headers["Location"], response.headers.get("Location")


class Visitor:
    """A browser session for one role, signed in again whenever a route signs it out."""

    def __init__(self, app, user):
        self.app, self.user = app, user
        self.client = IsolatedClient(app, app.response_class, use_cookies=True)
        self.token = None
        self.refresh()

    def refresh(self) -> None:
        if self.user is not None:
            sign_in(self.client, self.user)
            page = self.client.get("/switch-role")
        else:
            page = self.client.get("/auth/login")
        self.token = csrf_token(page.get_data(as_text=True))

    def still_signed_in(self) -> bool:
        return self.user is None or self.client.get("/switch-role").status_code == 200

    def request(self, method: str, url: str):
        headers = {"X-CSRFToken": self.token}
        if method == "GET":
            return self.client.get(url, headers=headers)
        if url.startswith("/api/"):
            return self.client.open(url, method=method, json={}, headers=headers)
        return self.client.open(url, method=method, data={"csrf_token": self.token}, headers=headers)


def is_login_redirect(response) -> bool:
    """The refusal of a page to a visitor who is not signed in (a plain redirect to the sign-in page,
    without ``next``, is a step of a flow such as an expired second-factor step, not a refusal)."""
    location = response.headers.get("Location", "")
    return response.status_code in (302, 303) and "/auth/login?next=" in location


def judge(endpoint: str, url: str, method: str, rule, role: Role | None, response) -> str | None:
    """The problem with this answer, or None when it is what the rule says."""
    status = response.status_code
    allowed = rule.allows_role(role) if role is not None else rule.public
    who = role.value if role else "anonymous"
    if allowed:
        if status == 403 and (endpoint, role) in OBJECT_LEVEL_REFUSALS:
            return None
        if status in (401, 403) or is_login_redirect(response):
            return f"{method} {url} ({endpoint}) as {who}: allowed by rule {rule.name!r} but got {status}"
        return None
    if role is None:
        ok = status == 401 if url.startswith("/api/") else (is_login_redirect(response) or status == 401)
        if not ok:
            return f"{method} {url} ({endpoint}) as anonymous: rule {rule.name!r} should refuse (401 / sign-in), got {status}"
        return None
    if status != 403:
        return f"{method} {url} ({endpoint}) as {who}: rule {rule.name!r} excludes this role, expected 403, got {status}"
    return None


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method


def test_every_route_and_role_gets_the_status_its_rule_declares(app, app_ctx, make_org, make_user):
    world = make_world(make_org, make_user)
    visitors = {role: Visitor(app, world.users.get(role)) for role in ROLES}
    problems: list[str] = []
    public_found: set[str] = set()
    checked = 0
    for url_rule, method in routes(app):
        view = app.view_functions[url_rule.endpoint]
        rule = rule_for(view, method)
        if rule is None:
            problems.append(f"{method} {url_rule.rule} ({url_rule.endpoint}) declares no access rule")
            continue
        if rule.public:
            public_found.add(url_rule.endpoint)
        with app.test_request_context():
            url = url_for(url_rule.endpoint, _method=method, **fill(url_rule, world))
        for role in ROLES:
            visitor = visitors[role]
            checked += 1
            try:
                response = visitor.request(method, url)
            except Exception as exc:  # a server error is not an access answer: report it, walk on
                problems.append(f"{method} {url} ({url_rule.endpoint}) as {role.value if role else 'anonymous'} raised {exc!r:.200}")
                continue
            problem = judge(url_rule.endpoint, url, method, rule, role, response)
            if problem:
                problems.append(problem)
            if method != "GET" and not visitor.still_signed_in():
                visitor.refresh()  # the route signed the user out (logout, password change, …)
    problems += [f"{e} is public but not listed in EXPECTED_PUBLIC" for e in sorted(public_found - EXPECTED_PUBLIC)]
    present = {r.endpoint for r in app.url_map.iter_rules()}
    problems += [
        f"{e} is listed in EXPECTED_PUBLIC but its rule is not public" for e in sorted((EXPECTED_PUBLIC & present) - public_found)
    ]
    print(f"{checked} requests checked over {len(present)} endpoints")
    assert not problems, "\n".join(problems)

