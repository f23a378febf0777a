"""Document metadata (文档属性) of PDF and DOCX files: who wrote them, with what, and when.

Read for the bureau's identity checks and the flags engine; never shown to experts.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from io import BytesIO
from xml.etree import ElementTree


@dataclass(frozen=True)
class DocumentMetadata:
    """What a file says about its making. Empty strings become None."""

    format: str  # "pdf" or "docx"
    author: str | None = None
    last_modified_by: str | None = None
    company: str | None = None
    creator_tool: str | None = None  # PDF Creator; DOCX Application and version
    producer: str | None = None  # PDF Producer
    document_id: str | None = None  # PDF trailer ID (hex); DOCX w15:docId
    xmp_document_id: str | None = None  # PDF XMP xmpMM:DocumentID: kept through edits and exports
    revision_root: str | None = None  # DOCX w:rsidRoot: the same original file saved again
    title: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None


PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?")


def parse_pdf_date(text: str | None) -> datetime | None:
    """A PDF date (``D:YYYYMMDDHHmmSS+hh'mm'``) as an aware UTC datetime; no zone is read as UTC."""
    match = PDF_DATE.match((text or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        value = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                         int(second or 0), tzinfo=timezone.utc)
    except ValueError:
        return None
    if zone and zone not in "Zz":
        digits = zone.replace("'", "")
        offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5] or 0))
        value = value - offset if digits[0] == "+" else value + offset
    return value


def _clean(value) -> str | None:
    text = " ".join(str(value or "").split())
    return text[:300] or None


def pdf_metadata(reader) -> DocumentMetadata:
    """Metadata of an open pypdf reader: the Info dictionary (standard keys and the custom ones
    Office exports write), the XMP packet where the Info dictionary lacks a value, and the
    permanent file identifier (the first string of the trailer's /ID)."""
    try:
        info = dict(reader.metadata or {})
    except Exception:  # a broken Info dictionary leaves the other facts readable
        info = {}
    xmp = _xmp(reader)

    def value(key):
        return _clean(info.get(key))

    identifier = reader.trailer.get("/ID")
    document_id = None
    if identifier:
        first = identifier[0]
        document_id = (first.original_bytes if hasattr(first, "original_bytes") else bytes(first)).hex() or None
    return DocumentMetadata(
        format="pdf", author=value("/Author") or _clean(_first(getattr(xmp, "dc_creator", None))),
        last_modified_by=value("/LastModifiedBy"), company=value("/Company"),
        creator_tool=value("/Creator") or _clean(getattr(xmp, "xmp_creator_tool", None)),
        producer=value("/Producer") or _clean(getattr(xmp, "pdf_producer", None)),
        document_id=document_id, xmp_document_id=_clean(getattr(xmp, "xmpmm_document_id", None)),
        title=value("/Title"), created_at=parse_pdf_date(info.get("/CreationDate")),
        modified_at=parse_pdf_date(info.get("/ModDate")),
    )


def _xmp(reader):
    try:
        return reader.xmp_metadata
    except Exception:  # a malformed XMP packet is skipped, as if absent
        return None


def _first(values):
    return values[0] if values else None


NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "w15": "http://schemas.microsoft.com/office/word/2012/wordml",
}
# Parts larger than this are not read (a metadata part is a few kilobytes; a long body tens of megabytes).
MAX_PART_BYTES = 1024 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


def _part(archive: zipfile.ZipFile, name: str):
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        return None
    # The standard library parser resolves no external entities; a DOCX part is plain XML.
    return ElementTree.fromstring(archive.read(info))


def _text(root, path: str) -> str | None:
    if root is None:
        return None
    node = root.find(path, NS)
    return _clean(node.text) if node is not None else None


def _iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def docx_metadata(data: bytes) -> DocumentMetadata:
    """Metadata of a DOCX file from docProps/core.xml, docProps/app.xml and word/settings.xml."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        core = _part(archive, "docProps/core.xml")
        app = _part(archive, "docProps/app.xml")
        settings = _part(archive, "word/settings.xml")
    application = " ".join(filter(None, (_text(app, "ep:Application"), _text(app, "ep:AppVersion")))) or None
    doc_id = rsid_root = None
    if settings is not None:
        node = settings.find("w15:docId", NS)
        doc_id = _clean(node.get(f"{{{NS['w15']}}}val")) if node is not None else None
        node = settings.find("w:rsids/w:rsidRoot", NS)
        rsid_root = _clean(node.get(f"{{{NS['w']}}}val")) if node is not None else None
    return DocumentMetadata(
        format="docx", author=_text(core, "dc:creator"), last_modified_by=_text(core, "cp:lastModifiedBy"),
        company=_text(app, "ep:Company"), creator_tool=application, document_id=doc_id, revision_root=rsid_root,
        title=_text(core, "dc:title"), created_at=_iso(_text(core, "dcterms:created")),
        modified_at=_iso(_text(core, "dcterms:modified")),
    )


def docx_text(data: bytes) -> str:
    """The running text of a DOCX body, paragraphs on their own lines."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > MAX_BODY_BYTES:
            raise ValueError("the document body is larger than a bid document can be")
        root = ElementTree.fromstring(archive.read(info))
    paragraphs = []
    for paragraph in root.iter(f"{{{NS['w']}}}p"):
        paragraphs.append("".join(t.text or "" for t in paragraph.iter(f"{{{NS['w']}}}t")))
    return "\n".join(paragraphs)
