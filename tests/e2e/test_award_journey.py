"""The award journey in a real browser: an owners' assembly publishes its candidates, an owner objects on
a phone, the committee answers, the award is confirmed after the publicity, the winner reads its award
notice, the contract is uploaded and the district bureau files it, and the fee notice is public."""

from __future__ import annotations

from datetime import timedelta

from core.accounts.models import OrgKind
from core.extensions import db
from tender.award import operations as ops
from tender.tenders.models import TenderState
from tests.e2e.journeys import fits, overflowing, sign_in
from tests.tender.award.conftest import SIGNED, credit_catalogue  # noqa: F401  (fixture)
from tests.tender.award.helpers import add_bids, signed_report_rows
from tests.tender.tenders.conftest import PDF, assembly_world, make_tender, people  # noqa: F401  (fixtures)


def press(page, label: str):
    page.get_by_role("button", name=label).first.click()


def test_publicity_objection_answer_award_notice_contract_filing_fee_notice(
        app_ctx, live_server, new_page, screenshot, tmp_path, make_tender, assembly_world, make_org, make_user,
        clock):
    base = live_server
    world = assembly_world()
    tender, p = make_tender("published", owners=True, world=world)
    third = make_org(OrgKind.FIRM, name="上海浦江物业服务有限公司")
    p["firms"].append(third)
    p["firm_users"].append(make_user(OrgKind.FIRM, org=third))
    tender.state = TenderState.EVALUATING
    bids = add_bids(tender, p["firms"])
    signed_report_rows(tender, bids, signed_at=SIGNED)
    from core.auth import totp
    from core.db import utcnow

    chair = world["assembly_officer"]  # a key custodian of the tender, so signing in takes a second factor
    chair.totp_secret, chair.totp_enabled_at = totp.new_secret(), utcnow()
    db.session.commit()
    clock.set(SIGNED + timedelta(hours=2))
    errors: list[str] = []

    # The committee publishes the ranked candidates from its award desk.
    committee = new_page("desktop", locale="en-GB")
    committee.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(committee, base, chair)
    committee.goto(f"{base}/language/en")
    committee.goto(f"{base}/tenders/{tender.id}/award")
    press(committee, "Publish the candidates")
    assert "The candidates are published." in committee.inner_text("main")

    # An owner reads them on a phone and objects by the public form.
    owner = new_page("phone")
    owner.goto(f"{base}/language/en")
    owner.goto(f"{base}/tenders/{tender.id}/candidates")
    assert p["firms"][0].name in owner.inner_text("main") and "评标项目经理1" in owner.inner_text("main")
    assert fits(owner), overflowing(owner)
    screenshot(owner, "award-candidates")
    owner.click("text=Object as an owner")
    assert fits(owner), overflowing(owner)
    owner.fill("#owner_name", "李业主")
    owner.fill("#owner_room", "3号楼702")
    owner.fill("#owner_phone", "13912345678")
    owner.check("#point-1")  # the scores
    owner.fill("#reasons", "第一名的技术分比第二名高出很多，请说明评分依据。")
    evidence = tmp_path / "说明.pdf"
    evidence.write_bytes(PDF)
    owner.set_input_files("#evidence", str(evidence))
    press(owner, "Lodge the objection")
    assert "Your objection was lodged" in owner.inner_text("main")
    assert fits(owner), overflowing(owner)

    # The committee answers it; until then no award is offered.
    committee.goto(f"{base}/tenders/{tender.id}/award")
    assert "Confirm the first candidate" not in committee.inner_text("main")
    committee.fill("textarea[name=answer]", "评标委员会已复核技术评分，评分依据见评标报告第三部分。")
    press(committee, "Send the answer")
    assert "The answer was sent." in committee.inner_text("main")

    # After the publicity the committee confirms the first candidate; the notices go out by job.
    publicity = ops.state.current_publicity(tender)
    clock.set(publicity.ends_at + timedelta(hours=10))
    committee.goto(f"{base}/tenders/{tender.id}/award")
    press(committee, "Confirm the first candidate")
    assert "The award is confirmed" in committee.inner_text("main")
    db.session.expire_all()
    award = ops.state.current_offer(tender)
    ops.send_award_notices(award)
    db.session.commit()

    # The winner reads its award notice on a phone.
    winner = new_page("phone")
    sign_in(winner, base, p["firm_users"][0])
    winner.goto(f"{base}/language/en")
    winner.goto(f"{base}/tenders/{tender.id}/award/notice")
    assert "Award notice" in winner.inner_text("main") and p["firms"][0].name in winner.inner_text("main")
    assert fits(winner), overflowing(winner)
    screenshot(winner, "award-notice")

    # The committee files the award and uploads the signed contract with its public part.
    committee.goto(f"{base}/tenders/{tender.id}/award")
    committee.fill("#filings textarea[name=reasons]", "综合得分第一，公示期内的异议已答复，无投诉。")
    press(committee, "Submit the award for filing")
    assert "The award was submitted for filing." in committee.inner_text("main")
    contract = tmp_path / "物业服务合同.pdf"
    contract.write_bytes(PDF)
    committee.set_input_files("#filings input[name=file] >> nth=-1", str(contract))
    committee.fill("#signed_on", "2026-11-05")
    committee.fill("#service_content", "公共区域保洁每日两次，秩序维护24小时，绿化养护每月四次。")
    for field in ("#fee_residential", "#fee_commercial"):
        committee.fill(field, "2.60")
    committee.fill("#term_months", "36")
    press(committee, "Upload and submit the contract")
    assert "The contract was submitted for filing." in committee.inner_text("main"), committee.inner_text("main")[:600]

    # The district bureau files the award, then the contract.
    bureau = new_page("desktop")
    sign_in(bureau, base, p["supervisor"])
    bureau.goto(f"{base}/language/en")
    for _ in range(2):
        bureau.goto(f"{base}/tenders/{tender.id}/award")
        bureau.check("input[name=decision][value=file] >> nth=0")
        press(bureau, "Record the decision")
        assert "The decision on the filing was recorded." in bureau.inner_text("main")
    db.session.expire_all()
    assert tender.state == TenderState.CONTRACTED

    # The fee notice is public, fits a phone, and shows the contract's public part only.
    owner.goto(f"{base}/tenders/{tender.id}/fees")
    text = owner.inner_text("main")
    assert "Notice to owners" in text and "2.60" in text and "秩序维护24小时" in text
    assert "物业服务合同.pdf" not in text
    assert fits(owner), overflowing(owner)
    screenshot(owner, "award-fee-notice")
    assert errors == []
