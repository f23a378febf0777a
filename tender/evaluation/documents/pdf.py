"""Reading PDF files with PDFium (pypdfium2): page texts and the document's metadata."""

from __future__ import annotations

import pypdfium2 as pdfium

from tender.evaluation.documents.metadata import DocumentMetadata, pdf_metadata

# A technical proposal runs to a few hundred pages; a file far beyond that is not a bid document.
DEFAULT_MAX_PAGES = 2000


class DocumentError(ValueError):
    """A file that cannot be read as the document it claims to be."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise DocumentError("encrypted", "the PDF is protected by a password") from None
        raise DocumentError("unreadable", "the file is not a readable PDF") from None


def extract_text(pdf_bytes: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> list[str]:
    """The text of every page, in page order (index 0 is page 1)."""
    document = open_pdf(pdf_bytes)
    try:
        return _page_texts(document, max_pages)
    finally:
        document.close()


def _page_texts(document: pdfium.PdfDocument, max_pages: int) -> list[str]:
    count = len(document)
    if count > max_pages:
        raise DocumentError("too_many_pages", f"the PDF has {count} pages; at most {max_pages} are read")
    pages = []
    for index in range(count):
        page = document[index]
        textpage = page.get_textpage()
        try:
            pages.append(textpage.get_text_range())
        finally:
            textpage.close()
            page.close()
    return pages


def read_pdf(pdf_bytes: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> tuple[list[str], DocumentMetadata]:
    """Page texts and metadata, from one parse of the file."""
    document = open_pdf(pdf_bytes)
    try:
        return _page_texts(document, max_pages), pdf_metadata(document)
    finally:
        document.close()
