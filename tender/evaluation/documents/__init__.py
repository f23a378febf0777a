"""Bid documents after the opening: text and metadata, and the blind check of technical parts.

:func:`read_document` keeps what it learns in two parts: :class:`ForBureau` (file name, hash,
metadata, the places that name the bidder) and :class:`ForExperts` (the bid's code and page
texts, nothing else), so the scoring pages can be given the second without any way to reach the first.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from tender.evaluation.documents.identity import BidderIdentity, Hit, Person, scan_identity
from tender.evaluation.documents.metadata import DocumentMetadata, docx_metadata, docx_text
from tender.evaluation.documents.pdf import DEFAULT_MAX_PAGES, DocumentError, extract_many, extract_text, read_pdf

__all__ = [
    "BidderIdentity", "DocumentError", "DocumentMetadata", "ExtractedDocument", "ForBureau", "ForExperts", "Hit",
    "Person", "docx_metadata", "extract_many", "extract_text", "read_document", "scan_identity",
]


@dataclass(frozen=True)
class ForExperts:
    """What an expert may read of a technical document: the bid's code and the page texts."""

    bid_code: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class ForBureau:
    """What only the bureau sees: where the file came from and what gives its bidder away."""

    bid_code: str
    file_name: str
    sha256: str
    size: int
    metadata: DocumentMetadata
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class ExtractedDocument:
    for_bureau: ForBureau
    for_experts: ForExperts


def _format(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    raise DocumentError("format", "the file is neither a PDF nor a DOCX document")


def read_document(data: bytes, file_name: str, bid_code: str, identity: BidderIdentity, *,
                  max_pages: int = DEFAULT_MAX_PAGES) -> ExtractedDocument:
    """Text, metadata and identity hits of one bid document (PDF, or DOCX for attachments)."""
    if _format(data) == "pdf":
        pages, metadata = read_pdf(data, max_pages=max_pages)
    else:
        try:
            pages, metadata = [docx_text(data)], docx_metadata(data)
        except (KeyError, ValueError, OSError, zipfile.BadZipFile, ParseError) as exc:
            raise DocumentError("unreadable", f"the file is not a readable DOCX document ({exc})") from None
    bureau = ForBureau(bid_code, file_name, hashlib.sha256(data).hexdigest(), len(data), metadata,
                       tuple(scan_identity(pages, identity)))
    return ExtractedDocument(bureau, ForExperts(bid_code, tuple(pages)))
