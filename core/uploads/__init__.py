"""Resumable uploads (断点续传): large files sent in parts, surviving broken connections and crashes.

The protocol (docs/uploads.md) follows the tus 1.0 core protocol and its creation extension: a
client creates an upload with its total length, sends bytes with ``PATCH`` at the offset the server
holds, and after a broken connection asks ``HEAD`` for that offset and goes on from there. Memory
stays bounded (each part is streamed to a file under the blob store's temporary folder), every
part is fsynced before its new offset is committed, and bytes from a request that died half-way
are dropped at the next part. A feature registers a *purpose* (what the file is for): who may
upload, how large it may be, until when, and what happens when the last byte has arrived — for a
bid, the envelope is checked and stored and the receipt is the answer to that last part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Purpose:
    """What an upload is for, registered by a feature with :func:`register_purpose`.

    * ``authorise(user, target)`` raises (Denied or DomainError) unless ``user`` may upload for ``target``;
    * ``max_bytes(target)`` is the largest total length accepted;
    * ``check_open(target, now)`` raises a DomainError once no more bytes may come (a deadline);
    * ``complete(upload, path, *, actor)`` takes the finished file (the path is the upload's own
      file, to read or adopt) and returns a JSON-able result kept as the upload's answer.
    """

    name: str
    authorise: Callable
    max_bytes: Callable
    check_open: Callable
    complete: Callable


def register_purpose(app, purpose: Purpose) -> None:
    """Make a purpose available to ``POST /api/v1/uploads``."""
    app.extensions.setdefault("upload_purposes", {})[purpose.name] = purpose


def purpose(name: str) -> Purpose | None:
    from flask import current_app

    return current_app.extensions.get("upload_purposes", {}).get(name)
