"""A technical PDF as an expert receives it: the pages alone, without the file's metadata.

The bytes a bidder uploaded keep their document information (author, company, creator tool), XMP
packets and the trailer's document id; any of these may name the firm. The copy served to the
panel is rebuilt from the pages with pypdf: no information dictionary, no catalogue or page-level
metadata streams, no embedded files, a fresh document id.
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfWriter
from pypdf.generic import NameObject

from tender.evaluation.documents.pdf import open_pdf

PAGE_KEYS_DROPPED = ("/Metadata", "/PieceInfo", "/LastModified")


def pages_only(data: bytes) -> bytes:
    """The PDF's pages in a new file with no metadata of any kind."""
    reader = open_pdf(data)
    writer = PdfWriter()
    for page in reader.pages:
        added = writer.add_page(page)
        for key in PAGE_KEYS_DROPPED:
            if NameObject(key) in added:
                del added[NameObject(key)]
        if "/Annots" in added:
            del added[NameObject("/Annots")]  # comments carry their author's name
    writer.metadata = None
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
