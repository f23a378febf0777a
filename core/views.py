"""Home page, the dashboard of each role, language and role switching."""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import calendar, clock
from core.accounts.models import MemberRole, Membership, OrgKind, OrgStatus, Role
from core.authz import PUBLIC, SIGNED_IN, Denied, access, active_membership, check, rule_for
from core.extensions import db

bp = Blueprint("core", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after a redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def area_entry(blueprint: str) -> str | None:
    """The shortest GET page of a feature blueprint that takes no arguments (its index), if it exists.

    Lets the home page and dashboards link to features that are installed without naming their views.
    """
    candidates = [
        r
        for r in current_app.url_map.iter_rules()
        if r.endpoint.startswith(blueprint + ".") and "GET" in r.methods and not r.arguments
        and not r.rule.startswith("/api/") and not r.endpoint.endswith(".static")
    ]
    if not candidates:
        return None
    return url_for(min(candidates, key=lambda r: (len(r.rule), r.rule)).endpoint)


def endpoint_url(*endpoints: str) -> str | None:
    """The URL of the first of ``endpoints`` that is installed (features link to each other this way)."""
    installed = current_app.view_functions
    return next((url_for(e) for e in endpoints if e in installed), None)


def may_open(endpoint: str) -> bool:
    """Whether ``endpoint`` is installed and its route rule lets the signed-in user in, in their role now."""
    view = current_app.view_functions.get(endpoint)
    rule = rule_for(view, "GET") if view is not None else None
    if rule is None:
        return False
    try:
        check(rule)
    except Denied:
        return False
    return True


# Credit pages the dashboards link to (endpoint, title, hint); each is shown to whoever its route rule admits.
CREDIT_LINKS = (
    ("credit.my_file", _l("Our credit file"),
     _l("Records about your firm and its project managers; object to a record or ask for a correction.")),
    ("credit.intake", _l("Complaint intake"), _l("Complaints filed by the public, waiting to be checked.")),
    ("credit.records", _l("Credit records"), _l("Draft, notify, decide and publish credit records.")),
    ("credit.catalogue", _l("Conduct catalogue"), _l("The conduct items, their points and publication periods.")),
)
# Pages of core the dashboards link to, on the same terms.
CORE_LINKS = (
    ("calendar.admin", _l("Working-day calendar"), _l("Working days, and weekend days made working days, for every deadline.")),
)


def credit_links() -> list[dict]:
    """The credit pages the signed-in user may open in their active role, for the dashboard."""
    return [{"url": url_for(endpoint), "title": title, "hint": hint}
            for endpoint, title, hint in CREDIT_LINKS + CORE_LINKS if may_open(endpoint)]


@bp.get("/")
@access(PUBLIC)
def home():
    return render_template("home.html", credit_url=area_entry("credit"), tender_url=area_entry("tender"),
                           sections=page_sections("home", active_membership()))


@bp.get("/language/<lang>")
@access(PUBLIC)
def set_language(lang: str):
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    # The session's choice only: a GET never writes. The saved preference (for mail and notices) is
    # changed on the account's language page.
    session["locale"] = lang
    return redirect(safe_next(request.args.get("next"), url_for("core.home")))


def _supervisor_panel(membership: Membership) -> dict:
    from core.accounts.operations import registrations_query

    pending = db.session.scalars(registrations_query(membership).limit(5)).all()
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(registrations_query(membership).order_by(None).subquery())
    )
    city = membership.organisation.kind == OrgKind.CITY_BUREAU
    calendar_warning = calendar.coverage_warning(clock.today()) if city else None
    experts = None
    if city:
        experts = db.session.scalar(
            sa.select(sa.func.count(Membership.id)).where(
                Membership.organisation_id == membership.organisation_id,
                Membership.role == MemberRole.EXPERT,
                Membership.active,
            )
        )
    return {"pending": pending, "pending_count": count, "city": city, "expert_count": experts,
            "calendar_warning": calendar_warning}


def _operator_panel(membership: Membership) -> dict:
    from core.accounts.operations import registrations_query

    pending = db.session.scalars(registrations_query(membership)).all()
    return {
        "override_needed": [o for o in pending if o.needs_uscc_override],
        "pending_count": len(pending),
        "jobs_url": endpoint_url("jobs.queues") or area_entry("jobs"),
        "calendar_warning": calendar.coverage_warning(clock.today()),
        "clock_url": endpoint_url("clock.page") if clock.movable() else None,
    }


def _organisation_panel(membership: Membership) -> dict:
    from core.accounts.operations import bureau_for

    org = membership.organisation
    people = sum(1 for m in org.memberships if m.active)
    return {"bureau": bureau_for(org.district_code) if org.status == OrgStatus.PENDING else None, "people": people}


def register_section(app, page: str, section) -> None:
    """Let a feature add a section to a core page (``"home"`` or ``"dashboard"``): ``section(membership)``
    returns None or a dict with the ``template`` to include and the values it shows (computed by the
    feature's operations). ``membership`` is None for a visitor who is not signed in."""
    app.extensions.setdefault("page_sections", {}).setdefault(page, []).append(section)


def page_sections(page: str, membership: Membership | None) -> list[dict]:
    found = (section(membership) for section in current_app.extensions.get("page_sections", {}).get(page, ()))
    return [s for s in found if s]


PANELS = {
    Role.SUPERVISOR: _supervisor_panel,
    Role.OPERATOR: _operator_panel,
    Role.TENDERER: _organisation_panel,
    Role.AGENCY: _organisation_panel,
    Role.FIRM: _organisation_panel,
}


@bp.get("/dashboard")
@access(SIGNED_IN)
def dashboard():
    from core.accounts.forms import KIND_LABELS, SPECIALTIES, STATUS_LABELS

    membership = active_membership()
    role = membership.platform_role if membership else None
    panel = PANELS[role](membership) if role in PANELS else {}
    return render_template(
        "dashboard.html",
        membership=membership,
        role=role,
        panel=panel,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
        specialties=SPECIALTIES,
        tender_url=area_entry("tender"),
        credit_url=area_entry("credit"),
        credit_links=credit_links(),
        may_open=may_open,
        audit_url=area_entry("audit") if role in (Role.SUPERVISOR, Role.OPERATOR) else None,
        notifications_url=endpoint_url("jobs.notifications"),
        sections=page_sections("dashboard", membership) if membership else [],
    )


@bp.route("/switch-role", methods=["GET", "POST"])
@access(SIGNED_IN)
def switch_role():
    from core.accounts.forms import STATUS_LABELS

    memberships = sorted(current_user.active_memberships(), key=lambda m: (m.organisation.name, m.role.value))
    current = active_membership()
    error = None
    if request.method == "POST":
        wanted = request.form.get("membership_id", type=int)
        chosen = next((m for m in memberships if m.id == wanted), None)
        if chosen is None:
            error = _("Choose the organisation and role to act as.")
        else:
            session["membership_id"] = chosen.id
            flash(_("You are now acting as %(role)s for %(org)s.", role=_role_text(chosen), org=chosen.organisation.name), "success")
            return redirect(url_for("core.dashboard"))
    return (
        render_template(
            "switch_role.html", memberships=memberships, current=current, error=error, status_labels=STATUS_LABELS
        ),
        400 if error else 200,
    )


def _role_text(membership: Membership) -> str:
    from core.web import role_label

    return role_label(membership.platform_role)

