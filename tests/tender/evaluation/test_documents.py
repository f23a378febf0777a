"""Bid documents: text and metadata of PDF and DOCX files, and the blind check of technical parts."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from tender.evaluation.documents import (
    BidderIdentity, DocumentError, ForExperts, Person, docx_metadata, extract_text, read_document, scan_identity,
)
from tender.evaluation.documents.metadata import parse_pdf_date
from tender.evaluation.documents.identity import name_variants
from tests.tender.evaluation.documents import make_docx, make_pdf, make_raw_pdf

IDENTITY = BidderIdentity(
    firm_name="上海锦华物业管理有限公司", uscc="91310104MA1K001019",
    people=(Person("王小明", certificate_no="沪物2019-0012", phone="139 1234 5678", id_number="310104198001011234"),),
    phones=("021-5555 0100",),
)


def test_chinese_text_comes_out_page_by_page():
    pdf = make_pdf(["第一页：保洁服务方案与绿化养护。", "第二页：秩序维护与消防安全。"])
    pages = extract_text(pdf)
    assert len(pages) == 2
    assert "保洁服务方案与绿化养护" in pages[0] and "秩序维护与消防安全" in pages[1]


def test_pdf_metadata_from_the_info_dictionary():
    created = datetime(2027, 3, 1, 8, 30, tzinfo=timezone.utc)
    document = read_document(make_pdf(["正文"], author="张三", creator="WPS 文字", producer="某 PDF 工具", created=created),
                             "技术标.pdf", "A", IDENTITY)
    meta = document.for_bureau.metadata
    assert (meta.format, meta.author, meta.creator_tool, meta.producer) == ("pdf", "张三", "WPS 文字", "某 PDF 工具")
    assert meta.created_at == created and meta.document_id


def test_custom_pdf_keys_and_the_file_identifier():
    pdf = make_raw_pdf({"Author": "李四", "Company": "上海某物业公司", "LastModifiedBy": "王五",
                        "CreationDate": "D:20270301163000+08'00'"})
    meta = read_document(pdf, "x.pdf", "B", IDENTITY).for_bureau.metadata
    assert (meta.author, meta.company, meta.last_modified_by) == ("李四", "上海某物业公司", "王五")
    assert meta.document_id == "0123456789abcdef0123456789abcdef"
    assert meta.created_at == datetime(2027, 3, 1, 8, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("D:20270301", datetime(2027, 3, 1, tzinfo=timezone.utc)),
    ("D:20270301120000Z", datetime(2027, 3, 1, 12, tzinfo=timezone.utc)),
    ("D:20270301120000-05'00'", datetime(2027, 3, 1, 17, tzinfo=timezone.utc)),
    ("D:20271301", None), ("yesterday", None), ("", None),
])
def test_pdf_dates(text, expected):
    assert parse_pdf_date(text) == expected


def test_docx_metadata_from_core_app_and_settings():
    meta = docx_metadata(make_docx())
    assert (meta.author, meta.last_modified_by, meta.company) == ("张三", "李四", "上海某物业公司")
    assert meta.creator_tool == "Microsoft Office Word 16.0000"
    assert meta.document_id == "{6F1D2C3B-0000-4000-8000-000000000001}" and meta.revision_root == "00A1B2C3"
    assert meta.created_at == datetime(2027, 3, 1, 8, tzinfo=timezone.utc)


def test_a_docx_attachment_gives_its_text_as_one_page():
    document = read_document(make_docx(body=("项目经理王小明", "联系电话 13912345678")), "附件.docx", "C", IDENTITY)
    assert document.for_experts.pages == ("项目经理王小明\n联系电话 13912345678",)
    assert {h.kind for h in document.for_bureau.hits} == {"person_name", "phone"}


def test_unreadable_files_are_refused_with_a_reason():
    with pytest.raises(DocumentError) as refused:
        read_document(b"%PDF-1.7 garbage", "x.pdf", "A", IDENTITY)
    assert refused.value.code == "unreadable"
    with pytest.raises(DocumentError) as refused:
        read_document(b"GIF89a", "x.gif", "A", IDENTITY)
    assert refused.value.code == "format"
    with pytest.raises(DocumentError) as refused:
        extract_text(make_pdf(["一", "二", "三"]), max_pages=2)
    assert refused.value.code == "too_many_pages"


def test_the_identity_is_found_across_line_breaks_spaces_and_full_width_digits():
    pages = [
        "本方案由上海锦华物业\n管理有限公司编制。",
        "锦华物业将派驻项目经理王 小明（证书号：沪物２０１９－００１２），联系电话 139-1234-5678。",
        "统一社会信用代码 9131 0104 MA1K 0010 19，办公电话 021 55550100。",
        "身份证号 310104198001011234",
    ]
    hits = scan_identity(pages, IDENTITY)
    assert [(h.page, h.kind) for h in hits] == [
        (1, "firm_name"), (2, "firm_name"), (2, "person_name"), (2, "certificate"), (2, "phone"),
        (3, "uscc"), (3, "phone"), (4, "id_number"),
    ]
    assert "上海锦华物业 管理有限公司" in hits[0].snippet
    assert hits[3].matched == "沪物２０１９－００１２"


def test_a_clean_proposal_has_no_hits():
    pages = ["本项目物业服务方案包括客户服务、秩序维护、保洁绿化和设施设备管理。", "项目经理具有十年以上住宅项目管理经验。"]
    assert scan_identity(pages, IDENTITY) == []


def test_name_variants_drop_the_city_and_the_legal_form():
    assert name_variants("上海锦华物业管理有限公司") == ["上海锦华物业管理有限公司", "锦华物业管理有限公司", "锦华物业"]
    assert name_variants("绿城物业服务集团有限公司")[-1] == "绿城物业服务集团物业"


def test_experts_get_the_text_and_nothing_that_names_the_file():
    document = read_document(make_pdf(["锦华物业的服务承诺"], author="锦华物业 张三"), "锦华物业-技术标.pdf", "A", IDENTITY)
    assert {f.name for f in dataclasses.fields(ForExperts)} == {"bid_code", "pages"}
    assert document.for_experts.bid_code == "A" and "服务承诺" in document.for_experts.pages[0]
    assert document.for_bureau.file_name == "锦华物业-技术标.pdf" and document.for_bureau.hits
