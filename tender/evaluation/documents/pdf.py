"""Reading PDF files with pypdf: page texts and the document's metadata.

pypdf is pure Python, so no native parser sees the files bidders upload; on the platform's
benchmark (Chinese text in CID fonts, bench/evaluation_flags.py) it also extracts text about twice
as fast as PDFium, which spends its time finding a system font for fonts that are not embedded.
"""

from __future__ import annotations

import logging
from io import BytesIO

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from tender.evaluation.documents.metadata import DocumentMetadata, pdf_metadata

# A technical proposal runs to a few hundred pages; a file far beyond that is not a bid document.
DEFAULT_MAX_PAGES = 2000
# pypdf reports every repaired oddity of a file as a warning; they say nothing the bureau needs.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class DocumentError(ValueError):
    """A file that cannot be read as the document it claims to be."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def open_pdf(data: bytes) -> PdfReader:
    """A reader for the file, refused with a reason when it is no readable PDF or needs a password."""
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still opens
            raise DocumentError("encrypted", "the PDF is protected by a password")
        len(reader.pages)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise DocumentError("unreadable", "the file is not a readable PDF") from None
    return reader


def _page_texts(reader: PdfReader, max_pages: int) -> list[str]:
    count = len(reader.pages)
    if count > max_pages:
        raise DocumentError("too_many_pages", f"the PDF has {count} pages; at most {max_pages} are read")
    try:
        return [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        raise DocumentError("unreadable", "the text of the PDF cannot be read") from None


def extract_text(pdf_bytes: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> list[str]:
    """The text of every page, in page order (index 0 is page 1)."""
    return _page_texts(open_pdf(pdf_bytes), max_pages)


def read_pdf(pdf_bytes: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> tuple[list[str], DocumentMetadata]:
    """Page texts and metadata, from one parse of the file."""
    reader = open_pdf(pdf_bytes)
    return _page_texts(reader, max_pages), pdf_metadata(reader)


def extract_many(files: list[bytes], *, workers: int = 1, max_pages: int = DEFAULT_MAX_PAGES) -> list[list[str]]:
    """The page texts of several PDFs; with ``workers`` above 1 they are read in that many processes
    (documents are independent, and reading them is most of the work after an opening)."""
    if workers <= 1 or len(files) <= 1:
        return [extract_text(data, max_pages=max_pages) for data in files]
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    with ProcessPoolExecutor(max_workers=min(workers, len(files))) as pool:
        return list(pool.map(partial(extract_text, max_pages=max_pages), files))
