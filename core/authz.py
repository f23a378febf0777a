"""Who may do what: the one place that decides.

Every view declares its rule with ``@access(...)``; a ``before_request`` hook enforces it before the
view runs, and refuses any route that declares none (a test walks every route for that too).
Object-level checks (this district, this tender) are made in operations with :func:`require`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import current_app, g, has_request_context, request
from flask_login import current_user

from core.accounts.models import Membership, OrgKind, OrgStatus, Role


@dataclass(frozen=True)
class Rule:
    """An access rule: who may call a route."""

    name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    public: bool = False
    # Organisations that register (firms, developers, agencies, owners' assemblies) must be verified.
    verified: bool = True
    # The API scope a token must carry for this route (sessions are not limited by scopes). A route
    # that names no scope takes no token at all: tokens reach only what was opened to them.
    scope: str | None = None
    # When set, the acting organisation must be of one of these kinds (e.g. the city bureau, not a
    # district bureau, among supervisors).
    org_kinds: frozenset[OrgKind] = field(default_factory=frozenset)

    def allows_role(self, role: Role | None) -> bool:
        if self.public:
            return True
        if not self.roles:  # any signed-in user
            return True
        return role in self.roles


PUBLIC = Rule("public", public=True)
SIGNED_IN = Rule("signed_in", verified=False)


def signed_in(scope: str) -> Rule:
    """Any signed-in user; API tokens need ``scope``."""
    return Rule(f"signed_in:{scope}", verified=False, scope=scope)


def roles(*allowed: Role, verified: bool = True, scope: str | None = None, org_kinds=()) -> Rule:
    names = "+".join(sorted(r.value for r in allowed))
    if org_kinds:
        names += "@" + "+".join(sorted(k.value for k in org_kinds))
    return Rule(names, roles=frozenset(allowed), verified=verified, scope=scope, org_kinds=frozenset(org_kinds))


def access(rule: Rule) -> Callable:
    """Declare the access rule of a view function or of a MethodView method."""

    def decorate(func):
        func.__access_rule__ = rule
        return func

    return decorate


def rule_for(view_func, method: str) -> Rule | None:
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None:
        handler = getattr(view_class, method.lower(), None)
        if handler is None and method == "HEAD":
            handler = getattr(view_class, "get", None)
        return getattr(handler, "__access_rule__", None) or getattr(view_class, "__access_rule__", None)
    return getattr(view_func, "__access_rule__", None)


def routed_scopes() -> frozenset[str]:
    """The API scopes some registered route names: the ones a token can usefully carry today."""
    app = current_app._get_current_object()
    found = app.extensions.get("routed_scopes")
    if found is None:
        found = set()
        for url_rule in app.url_map.iter_rules():
            view = app.view_functions.get(url_rule.endpoint)
            for method in url_rule.methods or ():
                rule = rule_for(view, method)
                if rule is not None and rule.scope:
                    found.add(rule.scope)
        found = app.extensions["routed_scopes"] = frozenset(found)
    return found


def active_membership() -> Membership | None:
    """The membership the signed-in user is acting in now (they can switch)."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return None
    cached = g.get("_membership", False)
    if cached is not False:
        return cached
    memberships = current_user.active_memberships()
    chosen = None
    wanted = g.get("token_membership_id") or _session_membership_id()
    for m in memberships:
        if m.id == wanted:
            chosen = m
            break
    if chosen is None and memberships and not g.get("token_membership_id"):
        chosen = memberships[0]
    g._membership = chosen
    return chosen


def _session_membership_id() -> int | None:
    from flask import session

    return session.get("membership_id")


def active_role() -> Role | None:
    m = active_membership()
    return m.platform_role if m else None


class Denied(Exception):
    """Raised when a check fails; turned into 401 (not signed in) or 403."""

    def __init__(self, reason: str, status: int = 403):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def check(rule: Rule) -> None:
    """Raise Denied unless the current request may pass ``rule``."""
    if rule.public:
        return
    if not current_user.is_authenticated:
        raise Denied("sign_in_required", 401)
    if g.get("token_scopes") is not None and (rule.scope is None or rule.scope not in g.token_scopes):
        raise Denied("token_scope")
    if not rule.roles:
        return
    membership = active_membership()
    if membership is None or not rule.allows_role(membership.platform_role):
        raise Denied("role")
    if rule.org_kinds and membership.organisation.kind not in rule.org_kinds:
        raise Denied("organisation_kind")
    if rule.verified and membership.organisation.status != OrgStatus.VERIFIED:
        raise Denied("organisation_not_verified")


def require(condition: bool, reason: str = "forbidden") -> None:
    """Object-level check inside a view or operation."""
    if not condition:
        raise Denied(reason)


def enforce_route_rule() -> None:
    """before_request hook: find the route's rule and apply it; no rule means no access."""
    if request.endpoint is None or request.endpoint == "static" or request.endpoint.endswith(".static"):
        return
    if request.method == "OPTIONS" and request.url_rule is not None and request.url_rule.provide_automatic_options:
        return  # Flask answers it with the allowed methods; no view runs
    view = current_app.view_functions.get(request.endpoint)
    rule = rule_for(view, request.method)
    if rule is None:
        current_app.logger.error("route %s has no access rule; refused", request.endpoint)
        raise Denied("no_rule")
    g.access_rule = rule
    check(rule)
