"""Uploaded files of a tender (documents, the owners' resolution, the agency contract): checked by
their content, size-limited and kept in the blob store by their SHA-256."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from core.blobs import BlobStore, BlobTooLarge
from core.db import DomainError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", DOCX: ".docx"}


@dataclass(frozen=True)
class StoredFile:
    digest: str
    size: int
    media_type: str
    filename: str


def sniff(data: bytes) -> str | None:
    """PDF by its magic number; DOCX as a ZIP holding [Content_Types].xml and word/document.xml."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return DOCX
    return None


def clean_name(filename: str | None, media_type: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')[:180] or "document"
    if not name.lower().endswith(EXTENSIONS[media_type]):
        name += EXTENSIONS[media_type]
    return name


def store_file(stream, filename: str | None, *, field: str = "file") -> StoredFile:
    """Check and store one upload; a file too large, empty or of another type is refused and nothing is kept."""
    limit = current_app.config["DOCUMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if not data:
        raise DomainError(_("Choose a file to upload; the selected file is empty."), code="file_empty", field=field)
    if len(data) > limit:
        raise DomainError(_("The file must be at most %(mb)s MB.", mb=limit // (1024 * 1024)), code="file_too_large",
                          field=field)
    media_type = sniff(data)
    if media_type is None:
        raise DomainError(_("The file must be a PDF or a Word (DOCX) document."), code="file_type", field=field)
    store = BlobStore.from_config(current_app.config)
    try:
        stored = store.put_bytes(data, max_bytes=limit)
    except BlobTooLarge:
        raise DomainError(_("The file must be at most %(mb)s MB.", mb=limit // (1024 * 1024)), code="file_too_large",
                          field=field) from None
    return StoredFile(stored.digest, stored.size, media_type, clean_name(filename, media_type))


def open_file(digest: str):
    """A verifying reader over a stored file (its SHA-256 is checked as it is read)."""
    return BlobStore.from_config(current_app.config).open(digest)
