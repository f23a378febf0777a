"""Blind scoring over HTTP: before the technical part is locked, nothing an expert can reach names a firm —
no page, JSON answer, document, file name or document metadata; the autosave keeps revisions; the
routes refuse experts who are not on the panel."""

from __future__ import annotations

import re
from io import BytesIO

from core.extensions import db
from tests.tender.evaluation.flow import formed_panel, good, score_all
from tests.tender.evaluation.world import small_scheme


def _secrets(world) -> list[str]:
    """Every string that would identify a bidder: firm names, USCCs, project managers, contacts, file names."""
    found = []
    for bid in world["bids"]:
        found += [bid.firm.name, bid.firm.uscc or "", bid.price_sheet.project_manager["name"],
                  bid.price_sheet.project_manager["certificate_no"], bid.price_sheet.contact["name"],
                  bid.documents[0].name, bid.ref]
    return [s for s in found if s]


def _leaks(body: bytes, secrets: list[str]) -> list[str]:
    text_forms = []
    for s in secrets:
        text_forms += [s.encode("utf-8"), s.encode("utf-16-be"), s.encode("unicode_escape")]
        text_forms.append(s.encode("ascii", "xmlcharrefreplace"))
    return [repr(form) for form in text_forms if form and form in body]


def _links(html: str) -> set[str]:
    return {h for h in re.findall(r'(?:href|src)="(/evaluation/[^"#?]+)', html)}


def test_nothing_an_expert_can_reach_names_a_bidder_before_locking(client, login, opened, clock):
    from pypdf import PdfReader

    from tender.evaluation.models import SheetPart
    from tender.evaluation.operations import committee

    world = opened(scheme=small_scheme)
    panel = formed_panel(world)
    secrets = _secrets(world)
    expert = committee.panel_members(panel)[0].membership.user
    login(expert, "x")
    start = [f"/evaluation/panels/{panel.id}", f"/evaluation/panels/{panel.id}/score/technical",
             f"/evaluation/panels/{panel.id}/sheets/technical", f"/evaluation/panels/{panel.id}/flags.json",
             f"/evaluation/tenders/{world['tender'].id}/report", "/evaluation/profile", "/"]
    start += [f"/evaluation/panels/{panel.id}/bids/{c.code}/documents/1.pdf" for c in panel.codes]
    seen, queue, answers = set(), list(start), 0
    while queue:
        url = queue.pop()
        if url in seen or "/static/" in url:
            continue
        seen.add(url)
        response = client.get(url)
        answers += 1
        assert response.status_code < 500, url
        body = response.get_data()
        assert not _leaks(body, secrets), (url, _leaks(body, secrets))
        assert not _leaks(str(dict(response.headers)).encode(), secrets), url
        if response.mimetype == "application/pdf":
            assert response.status_code == 200
            reader = PdfReader(BytesIO(body))
            assert reader.metadata is None and "/Metadata" not in reader.trailer["/Root"]
            assert re.fullmatch(r'inline; filename="[A-Z]+-\d+\.pdf"', response.headers["Content-Disposition"])
        elif response.mimetype == "text/html":
            queue += [u for u in _links(response.get_data(as_text=True)) if u not in seen]
    assert answers >= 10
    # After every member locks the technical part, the names appear beside the codes.
    score_all(panel, SheetPart.TECHNICAL, good)
    response = client.get(f"/evaluation/panels/{panel.id}/score/business")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, re.sub(r"\s+", " ", page[page.find("<main"):])[:800]
    assert world["bids"][0].firm.name in page


def test_autosave_keeps_revisions_and_refuses_a_stale_one(client, login, opened, clock):
    from tender.evaluation.operations import committee

    world = opened(scheme=small_scheme)
    panel = formed_panel(world)
    expert = committee.panel_members(panel)[0].membership.user
    login(expert, "x")
    page = client.get(f"/evaluation/panels/{panel.id}/score/technical").get_data(as_text=True)
    token = re.search(r'name="lock-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    url = f"/evaluation/panels/{panel.id}/sheets/technical"
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    body = {"revision": 0, "scores": [{"bid": "A", "item": "understanding", "points": "6", "reason": ""}]}
    saved = client.put(url, json=body, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["revision"] == 1
    again = client.put(url, json=body, headers=headers)  # a second window still at revision 0
    assert again.status_code == 409 and again.get_json()["type"].endswith("stale_revision")
    bad = client.put(url, json={"revision": 1, "scores": [{"bid": "A", "item": "understanding", "points": "9"}]},
                     headers=headers)
    assert bad.status_code == 409 and "errors" in bad.get_json()
    state = client.get(url).get_json()
    assert state["revision"] == 1 and state["scores"] == [{"bid": "A", "item": "understanding", "points": "6",
                                                           "reason": ""}]


def test_a_saved_sheet_takes_saves_from_its_expert_only_and_only_before_locking(client, login, opened, clock,
                                                                               make_expert):
    from tender.evaluation.models import SheetPart
    from tender.evaluation.operations import committee, scoring
    from tests.factories import unused_totp_code

    world = opened(scheme=small_scheme)
    panel = formed_panel(world)
    member = committee.panel_members(panel)[0].membership
    items = scoring.items_of(panel.tender, SheetPart.TECHNICAL)
    full = [{"bid": c.code, "item": i.key, "points": str(good(0, c.code, i)), "reason": "评分理由：方案内容完整，措施具体可行。"}
            for c in panel.codes for i in items]
    scoring.save_sheet(panel, member, SheetPart.TECHNICAL, {"revision": 0, "scores": full}, actor=member.user)
    db.session.commit()
    url = f"/evaluation/panels/{panel.id}/sheets/technical"
    change = {"revision": 1, "scores": [{"bid": "A", "item": items[0].key, "points": "0", "reason": ""}]}

    # The quick path proves nothing for anyone but the sheet's own serving expert: the full path answers them.
    outsider = make_expert().membership
    other = committee.panel_members(panel)[1].membership
    assert scoring.autosave(panel.id, outsider, SheetPart.TECHNICAL, change) is None
    assert scoring.autosave(panel.id, other, SheetPart.TECHNICAL, change) is None
    db.session.rollback()

    login(member.user, "x")
    page = client.get(f"/evaluation/panels/{panel.id}/score/technical").get_data(as_text=True)
    headers = {"X-CSRFToken": re.search(r'name="lock-csrf_token" type="hidden" value="([^"]+)"', page).group(1),
               "Accept": "application/json"}
    fair = str(items[0].anchors[2][1])
    saved = client.put(url, json={"revision": 1, "scores": [{"bid": "A", "item": items[0].key, "points": fair}]},
                       headers=headers)
    assert saved.status_code == 200 and saved.get_json()["revision"] == 2
    assert client.get(url).get_json()["scores"][0]["points"] == fair
    db.session.expire_all()
    scoring.lock_sheet(panel, member, SheetPart.TECHNICAL, {"code": unused_totp_code(member.user)}, actor=member.user)
    db.session.commit()
    change["revision"] = 2
    refused = client.put(url, json=change, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("not_open")
    db.session.expire_all()
    sheet = scoring.sheet_of(panel, member, SheetPart.TECHNICAL)
    assert sheet.revision == 2 and all(s.points != 0 for s in sheet.scores)


def test_an_expert_not_on_the_panel_reaches_none_of_it(client, login, opened, clock, make_expert):
    world = opened(scheme=small_scheme)
    panel = formed_panel(world)
    outsider = make_expert().membership.user
    from core.auth import totp as totp_codes
    from core.db import utcnow

    outsider.totp_secret, outsider.totp_enabled_at = totp_codes.new_secret(), utcnow()
    db.session.commit()
    login(outsider, "x")
    for url in (f"/evaluation/panels/{panel.id}", f"/evaluation/panels/{panel.id}/score/technical",
                f"/evaluation/panels/{panel.id}/sheets/technical", f"/evaluation/panels/{panel.id}/bids/A/documents/1.pdf",
                f"/evaluation/tenders/{world['tender'].id}/report"):
        assert client.get(url).status_code == 404, url


def test_the_tender_panel_page_keeps_names_from_the_tenderer(client, login, opened, clock):
    world = opened(scheme=small_scheme)
    panel = formed_panel(world)
    login(world["people"]["officer"])
    page = client.get(f"/evaluation/tenders/{world['tender'].id}/panel").get_data(as_text=True)
    for invitation in panel.invitations:
        assert invitation.membership.user.name not in page
    assert "5" in page
