"""Blob storage (文件存储): bid envelopes and documents, each file named by its SHA-256.

The store is a directory given to :class:`BlobStore`; nothing else in the platform builds paths
into it. A write streams into a temporary file under the same directory (so the final rename is
atomic), counts bytes against a limit, hashes as it goes, fsyncs the file, renames it to
``ab/cd/<digest>`` and fsyncs the directory. Writing the same content again changes nothing. Every
read re-hashes the bytes, so a file changed on disk is reported, never served. The only names
accepted are 64 lowercase hexadecimal digits, which rules out any path traversal.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DIGEST_PATTERN = re.compile(r"[0-9a-f]{64}")
PARTIAL_PATTERN = re.compile(r"[0-9a-f]{32}")
CHUNK_SIZE = 1024 * 1024
TEMPORARY_DIR = "tmp"
PARTIAL_DIR = "uploads"


class BlobError(Exception):
    """A blob could not be stored or read."""


class InvalidDigest(BlobError, ValueError):
    """A blob name that is not a lowercase hexadecimal SHA-256 digest."""


class BlobTooLarge(BlobError):
    def __init__(self, limit: int):
        super().__init__(f"the upload is larger than the limit of {limit} bytes")
        self.limit = limit


class BlobNotFound(BlobError, FileNotFoundError):
    pass


class BlobCorrupted(BlobError):
    """The bytes on disk (or those uploaded) do not have the expected SHA-256."""


@dataclass(frozen=True)
class StoredBlob:
    digest: str
    size: int
    created: bool  # False when the same content was already stored


def check_digest(digest) -> str:
    """Return ``digest`` if it is 64 lowercase hexadecimal digits, else raise InvalidDigest."""
    if not isinstance(digest, str) or not DIGEST_PATTERN.fullmatch(digest):
        raise InvalidDigest("a blob is named by its SHA-256 as 64 lowercase hexadecimal digits")
    return digest


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class BlobStore:
    """Content-addressed files under one directory, with a size limit on every write."""

    def __init__(self, root: str | os.PathLike, *, max_bytes: int):
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.root = Path(root).resolve()
        self.max_bytes = max_bytes
        (self.root / TEMPORARY_DIR).mkdir(parents=True, exist_ok=True)

    @classmethod
    def from_config(cls, config) -> BlobStore:
        return cls(config["BLOB_DIR"], max_bytes=config["BLOB_MAX_BYTES"])

    def path_for(self, digest: str) -> Path:
        """Where the blob lives: ``<root>/ab/cd/<digest>``; only valid digests are accepted."""
        check_digest(digest)
        path = self.root / digest[:2] / digest[2:4] / digest
        if path.parent.parent.parent != self.root:  # cannot happen for a valid digest; kept as a guard
            raise InvalidDigest("blob path escapes the store")
        return path

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None, expected_sha256: str | None = None) -> StoredBlob:
        """Store what ``stream`` yields; raises BlobTooLarge past the limit and leaves nothing behind."""
        limit = self.max_bytes if max_bytes is None else min(max_bytes, self.max_bytes)
        if expected_sha256 is not None:
            check_digest(expected_sha256)
        fd, tmp_name = tempfile.mkstemp(prefix="upload-", dir=self.root / TEMPORARY_DIR)
        tmp = Path(tmp_name)
        try:
            digest, size = self._write(fd, stream, limit)
            if expected_sha256 is not None and digest != expected_sha256:
                raise BlobCorrupted("the uploaded bytes do not match the SHA-256 given for them")
            return self._place(tmp, digest, size)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def partial_path(self, upload_id: str) -> Path:
        """The file an upload in progress is written to (names are 32 lowercase hex digits)."""
        if not isinstance(upload_id, str) or not PARTIAL_PATTERN.fullmatch(upload_id):
            raise InvalidDigest("an upload is named by 32 lowercase hexadecimal digits")
        folder = self.root / TEMPORARY_DIR / PARTIAL_DIR
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{upload_id}.part"

    def adopt(self, path: Path, *, max_bytes: int | None = None, sha256: str | None = None) -> StoredBlob:
        """Store a finished file of the temporary folder under its digest, by renaming it (no copy).

        ``sha256`` is the file's digest when the caller has just computed it from this very file
        (it is not read again); readers check every blob against its digest anyway."""
        path = Path(path)
        if path.resolve().parent.parent != (self.root / TEMPORARY_DIR).resolve():
            raise BlobError("only files of the store's own temporary folder can be adopted")
        limit = self.max_bytes if max_bytes is None else min(max_bytes, self.max_bytes)
        if sha256 is not None:
            size = path.stat().st_size
            if size > limit:
                raise BlobTooLarge(limit)
            return self._place(path, check_digest(sha256), size)
        hasher, size = hashlib.sha256(), 0
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise BlobTooLarge(limit)
                hasher.update(chunk)
        return self._place(path, hasher.hexdigest(), size)

    def _place(self, path: Path, digest: str, size: int) -> StoredBlob:
        """Rename a complete, fsynced file of the temporary folder to its digest's place."""
        final = self.path_for(digest)
        if final.exists() and self.verify(digest):
            path.unlink()
            return StoredBlob(digest, size, created=False)
        self._make_parents(final.parent)
        os.chmod(path, 0o440)
        # Atomic: readers see the old file (identical or corrupt) or the new one, never a partial one.
        os.replace(path, final)
        _fsync_dir(final.parent)
        return StoredBlob(digest, size, created=True)

    def stage(self) -> StagedBlob:
        """A file of the temporary folder to write into piece by piece, hashed as it is written; the caller
        places it under its digest once the whole content is known to be good, or discards it."""
        fd, tmp_name = tempfile.mkstemp(prefix="stage-", dir=self.root / TEMPORARY_DIR)
        return StagedBlob(self, fd, Path(tmp_name))

    def remove_stale_staged(self, older_than_seconds: float) -> int:
        """Remove ``stage-*`` files not modified for ``older_than_seconds`` (left by a process killed while
        writing them; they may hold decrypted documents). Returns how many were removed.

        File ages are the filesystem's modification times, so they are compared with the system clock.
        """
        cutoff = time.time() - older_than_seconds
        removed = 0
        for path in (self.root / TEMPORARY_DIR).glob("stage-*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # placed or discarded meanwhile
                continue
        return removed

    def put_bytes(self, data: bytes, **options) -> StoredBlob:
        return self.put(io.BytesIO(data), **options)

    def _write(self, fd: int, stream: BinaryIO, limit: int) -> tuple[str, int]:
        hasher = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK_SIZE):
                size += len(chunk)
                if size > limit:
                    raise BlobTooLarge(limit)
                hasher.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        return hasher.hexdigest(), size

    def _make_parents(self, directory: Path) -> None:
        """Create ``ab/cd`` as needed, fsyncing each parent so the new entries survive a crash."""
        for level in (directory.parent, directory):
            if not level.is_dir():
                level.mkdir(exist_ok=True)
                _fsync_dir(level.parent)

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).is_file()

    def size(self, digest: str) -> int:
        try:
            return self.path_for(digest).stat().st_size
        except FileNotFoundError:
            raise BlobNotFound(digest) from None

    def open(self, digest: str) -> VerifyingReader:
        """A reader that hashes what it returns and raises BlobCorrupted at the end if the digest differs."""
        try:
            handle = open(self.path_for(digest), "rb")  # noqa: SIM115 - the reader owns it
        except FileNotFoundError:
            raise BlobNotFound(digest) from None
        return VerifyingReader(handle, digest)

    def read_bytes(self, digest: str) -> bytes:
        """The whole blob, after checking its SHA-256 (for small blobs)."""
        with self.open(digest) as reader:
            return reader.read()

    def verify(self, digest: str) -> bool:
        """Whether the stored bytes still have their SHA-256 (False when corrupted)."""
        try:
            with self.open(digest) as reader:
                while reader.read(CHUNK_SIZE):
                    pass
        except BlobCorrupted:
            return False
        return True


class VerifyingReader:
    """A read-only stream over a stored blob that checks the SHA-256 once the end is reached."""

    def __init__(self, handle: BinaryIO, digest: str):
        self._handle = handle
        self._digest = digest
        self._hasher = hashlib.sha256()
        self._checked = False

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._hasher.update(data)
        if (not data or size < 0) and not self._checked:
            self._checked = True
            if self._hasher.hexdigest() != self._digest:
                raise BlobCorrupted(f"blob {self._digest} does not match its SHA-256; it was changed on disk")
        return data

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> VerifyingReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StagedBlob:
    """A blob being written (see :meth:`BlobStore.stage`): nothing is under a digest until :meth:`place`."""

    def __init__(self, store: BlobStore, fd: int, path: Path):
        self._store = store
        self._out = os.fdopen(fd, "wb")
        self._path = path
        self._hasher = hashlib.sha256()
        self.size = 0

    def write(self, data) -> None:
        self.size += len(data)
        if self.size > self._store.max_bytes:
            raise BlobTooLarge(self._store.max_bytes)
        self._hasher.update(data)
        self._out.write(data)

    @property
    def digest(self) -> str:
        return self._hasher.hexdigest()

    def sync(self) -> None:
        """Make what was written so far durable (placing it later then has little left to flush)."""
        self._out.flush()
        os.fsync(self._out.fileno())

    def place(self) -> StoredBlob:
        """fsync and rename the file to its digest's place."""
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        return self._store._place(self._path, self.digest, self.size)

    def discard(self) -> None:
        """Remove the file (after an error, or when its content must not be kept)."""
        if not self._out.closed:
            self._out.close()
        self._path.unlink(missing_ok=True)
