"""Catalogue versioning, the seeded standard and examples."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import DomainError, db
from credit.models import CatalogueStatus, RecordSource
from credit.operations import activate_version, add_item, draft_version, open_record, update_item
from credit.operations.catalogue import active_version


def test_seed_has_standard_items_and_labelled_examples_in_all_point_sizes(app_ctx):
    items = active_version().items
    standard = [i for i in items if not i.is_example]
    assert len(standard) == 15 and all(i.code.startswith("SH-") for i in standard)
    assert {i.points for i in items if i.kind.value == "bad"} >= {18, 6, 3, 1}
    assert all(i.code.startswith("EX-") for i in items if i.is_example)
    serious = next(i for i in items if i.code == "SH-P-18-06")
    assert serious.publication_months == 36 and serious.severity.value == "serious"


def test_record_keeps_the_version_it_was_decided_under(app_ctx, make_firm, item, published_record):
    firm = make_firm()
    old = published_record(firm, "EX-F-06-01")
    draft = draft_version({"label": "2027 revision"}, actor=None)
    changed = next(i for i in draft.items if i.code == "EX-F-06-01")
    update_item(changed, {"points": 4}, actor=None)
    add_item(draft, {"code": "EX-F-01-09", "subject_kind": "firm", "kind": "bad", "severity": "minor", "points": 1,
                     "title_zh": "示例", "title_en": "Example", "publication_months": 3, "is_example": True}, actor=None)
    with pytest.raises(DomainError):
        update_item(old.item, {"points": 2}, actor=None)  # an active version is never edited in place
    activate_version(draft, actor=None)
    db.session.commit()
    assert old.item.points == 6 and old.item.version.status == CatalogueStatus.RETIRED
    assert active_version().number == 2
    new = open_record(firm, {"item": changed, "source": RecordSource.INSPECTION, "facts": "Found again on inspection.",
                             "occurred_on": date(2026, 11, 2), "district_code": "310115"}, actor=None)
    assert new.points == 4 and new.item.version.number == 2
    with pytest.raises(DomainError) as err:
        open_record(firm, {"item": old.item, "source": RecordSource.INSPECTION, "facts": "Under the old version.",
                           "occurred_on": date(2026, 11, 2), "district_code": "310115"}, actor=None)
    assert err.value.code == "item_not_active"


def test_one_draft_at_a_time_and_validation(app_ctx):
    draft = draft_version({}, actor=None)
    with pytest.raises(DomainError):
        draft_version({}, actor=None)
    with pytest.raises(DomainError):
        update_item(draft.items[0], {"points": 0}, actor=None)


def test_catalogue_page_for_administrators(client, login, supervisor):
    login(supervisor(city=True))
    assert client.get("/credit/admin/catalogue").status_code == 200


def test_district_supervisor_cannot_edit_catalogue(client, login, supervisor):
    login(supervisor("310104"))
    assert client.get("/credit/admin/catalogue").status_code == 403
