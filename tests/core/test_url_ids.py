"""Every route with an integer id answers 404, never 500, for an id too large for a database column
(2^31 and above for PostgreSQL's integer; 2^63 was the number found answering 500)."""

from __future__ import annotations

import re

from core.accounts.models import OrgKind
from tests.factories import csrf_token

TOO_LARGE_IDS = (str(2**31), str(2**63))


def _int_routes(app):
    for rule in app.url_map.iter_rules():
        if any(type(c).__name__ == "BoundedIntegerConverter" for c in rule._converters.values()):
            yield rule


def test_there_are_integer_routes_and_all_are_bounded(app):
    from werkzeug.routing import IntegerConverter

    rules = list(_int_routes(app))
    assert len(rules) >= 10
    plain = [r.rule for r in app.url_map.iter_rules()
             if any(type(c) is IntegerConverter for c in r._converters.values())]
    assert plain == []


def test_an_id_past_2_63_is_404_on_every_integer_route(app, client, login, make_user):
    login(make_user(OrgKind.OPERATOR))
    token = csrf_token(client.get("/dashboard").get_data(as_text=True))
    checked = 0
    for rule in _int_routes(app):
        for too_large in TOO_LARGE_IDS:
            path = re.sub(r"<int:[^>]+>", too_large, rule.rule)
            path = re.sub(r"<(?:[a-z]+:)?[^>]+>", "x", path)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = client.open(path, method=method, data={"csrf_token": token})
                assert response.status_code == 404, (method, path, response.status_code)
                checked += 1
    assert checked >= 10
