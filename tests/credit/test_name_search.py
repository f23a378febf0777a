"""Name search over the bigram-position index: the ranking, and the index kept in step with names."""

from __future__ import annotations

import sqlalchemy as sa

from credit.models.subjects import SubjectNameGram
from credit.search import firms_by_name


def _ranked_by_like(part: str) -> list[str]:
    """The ranking spelled out plainly over every firm: exact, then earliest match, then shortest, then id."""
    from core.extensions import db
    from credit.models import CreditSubject

    found = [s for s in db.session.scalars(sa.select(CreditSubject)) if part in s.name]
    return [s.name for s in sorted(found, key=lambda s: (s.name != part, s.name.find(part), len(s.name), s.id))]


def test_ranking_matches_the_plain_definition(make_firm):
    for name in ("锦绣", "上海锦绣物业有限公司", "锦绣华东物业", "华东锦绣锦绣物业", "上海华东物业", "锦绣锦绣",
                 "上海东方锦绣家园物业服务有限公司", "锦绣物业"):
        make_firm(name)
    for part in ("锦绣", "锦绣锦绣", "华东", "物业", "绣物业", "上海", "东锦绣锦", "业有限公司"):
        assert [f.name for f in firms_by_name(part)] == _ranked_by_like(part), part
    assert firms_by_name("锦华") == []


def test_pages_follow_the_ranking(make_firm):
    for i in range(7):
        make_firm(f"上海{'甲' * i}物业")
    everything = [f.name for f in firms_by_name("物业", limit=50)]
    assert everything == _ranked_by_like("物业")
    assert [f.name for f in firms_by_name("物业", limit=3, offset=3)] == everything[3:6]


def test_renamed_firm_is_found_by_its_new_name_only(make_firm):
    from core.extensions import db

    firm = make_firm("上海旧名物业有限公司")
    firm.set_name("上海新名物业有限公司")
    db.session.commit()
    assert firms_by_name("旧名") == []
    assert [f.id for f in firms_by_name("新名")] == [firm.id]
    rows = db.session.scalars(sa.select(SubjectNameGram).where(SubjectNameGram.subject_id == firm.id)).all()
    assert len(rows) == len(firm.name) - 1


def test_deleted_firm_leaves_no_index_rows(make_firm):
    from core.extensions import db

    firm = make_firm("上海删除物业")
    firm_id = firm.id
    db.session.delete(firm)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).where(SubjectNameGram.subject_id == firm_id)) == 0
