"""Sealing, inspecting and opening bid envelopes (投标文件的加密封装与开标解密).

``seal`` writes an envelope in one pass with bounded memory; ``inspect`` reads the header only and
needs no key; ``unwrap_share`` is what a custodian's own tool does after the deadline;
``open_envelope`` takes k unwrapped shares, rebuilds the file key in memory, checks it against the
header MAC and returns an :class:`OpenedEnvelope` that streams the sections, checking every chunk
and every document digest. The file key never leaves this module's objects.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import re
import secrets
import shutil
import struct
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from tender.sealing import hpke, manifest, shamir
from tender.sealing.errors import (
    BadShare, InvalidInput, MalformedEnvelope, NotEnoughShares, TamperedEnvelope, TooEarly, WrongTender,
)
from tender.sealing.format import (
    CHECK_LEN, DOCUMENTS, MANIFEST, MAX_DEADLINE, PREAMBLE, PRICE_SHEET, SECTION_ENTRY, STANZA_LEN, VERSION, Header,
    Stanza, check_identifier, check_threshold, encode_body, parse_header, read_preamble,
)
from tender.sealing.hpke import KEY_ID_LEN
from tender.sealing.stream import (
    CHUNK, PRICE_SHEET_CT_LEN, PRICE_SHEET_PADDED, SectionWriter, check_ciphertext_length, ciphertext_length,
    header_mac, read_section, section_key,
)

PRICE_SHEET_MAX = PRICE_SHEET_PADDED - 4
# Where extract() puts things: the price sheet at the top, documents in a folder of their own, so
# no document name (names hold no "/") can land on the price sheet.
PRICE_SHEET_FILE = "price-sheet.bin"
DOCUMENTS_FOLDER = "documents"
_SHARE_CHECK_LABEL = b"tender-seal/v1 share-check"
_SHARE_TEXT = re.compile(r"[0-9a-fA-F]{66}")


@dataclass(frozen=True)
class KeyShare:
    """One unwrapped share of a file key: what a custodian submits at the opening."""

    x: int
    y: bytes

    def encode(self) -> str:
        """The text a custodian submits: lowercase hex of u8 x || y (docs/envelope.md 6.1)."""
        return bytes([self.x]).hex() + self.y.hex()

    @classmethod
    def decode(cls, text: str) -> "KeyShare":
        """Read a submitted share: 66 hex digits in either case, spaces around it allowed."""
        text = text.strip() if isinstance(text, str) else ""
        if not _SHARE_TEXT.fullmatch(text) or text[:2] == "00":
            raise BadShare("A key share is 66 hexadecimal digits, the first two not 00, as the custodian's tool "
                           "prints it.")
        raw = bytes.fromhex(text)
        return cls(raw[0], raw[1:])

    def __repr__(self) -> str:  # never print the share value
        return f"KeyShare(x={self.x})"


@dataclass
class Document:
    """A document to seal: its name, its exact size, a binary stream to read it from, and its part
    of the bid: "technical" (scored without the bidder's name), "business" or "qualification"."""

    name: str
    size: int
    stream: BinaryIO
    part: str | None = None

    @classmethod
    def from_bytes(cls, name: str, data: bytes, part: str | None = None) -> "Document":
        return cls(name, len(data), io.BytesIO(data), part)

    @classmethod
    def from_path(cls, path, name: str | None = None, part: str | None = None) -> "Document":
        path = Path(path)
        return cls(name or path.name, path.stat().st_size, path.open("rb"), part)


def share_check(x: int, y: bytes) -> bytes:
    return hashlib.sha256(_SHARE_CHECK_LABEL + bytes([x]) + y).digest()[:16]


def _epoch(deadline: datetime | int) -> int:
    if isinstance(deadline, datetime):
        if deadline.tzinfo is None:
            raise InvalidInput("The deadline must be an aware datetime (UTC).")
        return int(deadline.timestamp())
    return int(deadline)


def seal(
    out: BinaryIO,
    *,
    tender_id: str,
    bid_id: str,
    bid_version: int,
    deadline: datetime | int,
    custodian_keys: list[bytes],
    threshold: int,
    price_sheet: bytes,
    documents: Iterable[Document] = (),
    progress: Callable[[int, int], None] | None = None,
) -> Header:
    """Write one envelope to ``out`` and return its header."""
    check_identifier(tender_id, "tender id")
    check_identifier(bid_id, "bid id")
    if not 1 <= int(bid_version) < 2**32:
        raise InvalidInput("The bid version must be a positive integer.")
    documents = list(documents)
    count = len(custodian_keys)
    check_threshold(threshold, count)
    if len(price_sheet) > PRICE_SHEET_MAX:
        raise InvalidInput(f"The price sheet is larger than {PRICE_SHEET_MAX} bytes.")
    names = [d.name for d in documents]
    manifest.check_names(names)
    for doc in documents:
        manifest.check_part(doc.part, doc.name)
    kids = [hpke.key_id(pk) for pk in custodian_keys]
    if len(set(kids)) != count:
        raise InvalidInput("The same custodian key is listed twice.")
    when = _epoch(deadline)
    if not 0 <= when <= MAX_DEADLINE:
        raise InvalidInput("The deadline must lie between 1970-01-01 and 9999-12-31T23:59:59Z.")

    file_key = secrets.token_bytes(32)
    stanzas = []
    for (x, y), pk, kid in zip(shamir.split(file_key, threshold, count), custodian_keys, kids):
        info = hpke.bid_share_info(tender_id, bid_id, bid_version, when, threshold, count, x, kid)
        stanzas.append(Stanza(kid, x, share_check(x, y), hpke.wrap(y, pk, info)))
    documents_length = sum(d.size for d in documents)
    sections = (
        (PRICE_SHEET, PRICE_SHEET_CT_LEN),
        (DOCUMENTS, ciphertext_length(documents_length)),
        (MANIFEST, ciphertext_length(manifest.manifest_length(names, VERSION))),
    )
    draft = Header(tender_id, bid_id, int(bid_version), when, threshold, tuple(stanzas), sections)
    body = encode_body(draft)
    mac = header_mac(file_key, body)
    header = parse_header(body + mac)
    out.write(header.raw)
    aad = header.hash

    padded = struct.pack(">I", len(price_sheet)) + price_sheet
    writer = SectionWriter(section_key(file_key, PRICE_SHEET), aad, PRICE_SHEET_PADDED, out)
    writer.write(padded + bytes(PRICE_SHEET_PADDED - len(padded)))
    writer.close()

    salt = secrets.token_bytes(manifest.SALT_LEN)
    writer = SectionWriter(section_key(file_key, DOCUMENTS), aad, documents_length, out)
    entries, done = [], 0
    for doc in documents:
        digest = manifest.FileDigest(salt)
        while True:
            piece = doc.stream.read(min(CHUNK, doc.size - digest.size + 1))
            if not piece:
                break
            if digest.size + len(piece) > doc.size:
                raise InvalidInput(f"The document {doc.name!r} grew while it was being sealed.")
            digest.update(piece)
            writer.write(piece)
            done += len(piece)
            if progress:
                progress(done, documents_length)
        if digest.size != doc.size:
            raise InvalidInput(f"The document {doc.name!r} is shorter than its declared size.")
        entries.append(manifest.ManifestEntry(doc.name, doc.size, digest.digest(), doc.part))
    writer.close()

    data = manifest.encode(salt, entries, VERSION)
    writer = SectionWriter(section_key(file_key, MANIFEST), aad, len(data), out)
    writer.write(data)
    writer.close()
    del file_key
    return header


def read_header(source: BinaryIO) -> Header:
    first = source.read(PREAMBLE.size)
    _version, length = read_preamble(first)
    rest = source.read(length - len(first))
    return parse_header(bytes(first) + bytes(rest))


def inspect(source: BinaryIO) -> Header:
    """Read and check the header only; needs no key."""
    return read_header(source)


def check_binding(header: Header, tender_id: str, bid_id: str, bid_version: int) -> None:
    """Refuse an envelope that belongs elsewhere (a replay into another tender, bid or version)."""
    for what, expected, actual in (
        ("tender", tender_id, header.tender_id),
        ("bid", bid_id, header.bid_id),
        ("bid version", bid_version, header.bid_version),
    ):
        if expected != actual:
            raise WrongTender(
                f"This envelope was sealed for {what} {actual}, not {expected}.", expected=expected, actual=actual
            )


def unwrap_share(header: Header, private_key, *, now: datetime | None = None) -> KeyShare:
    """What a custodian's tool does: unwrap its share of one bid, never before the deadline."""
    pk = hpke.public_bytes(private_key.public_key())
    kid = hpke.key_id(pk)
    stanza = next((s for s in header.stanzas if s.key_id == kid), None)
    if stanza is None:
        raise BadShare("This envelope holds no share for your key.", key_id=kid.hex())
    now = now or datetime.now(timezone.utc)
    if now.timestamp() < header.deadline:
        raise TooEarly(
            f"The bid deadline {header.deadline_at.isoformat()} has not passed; shares are unwrapped only "
            "after it.",
            deadline=header.deadline_at.isoformat(),
        )
    info = hpke.bid_share_info(
        header.tender_id, header.bid_id, header.bid_version, header.deadline, header.threshold,
        len(header.stanzas), stanza.x, kid,
    )
    y = hpke.unwrap(stanza.wrapped, private_key, info)
    if not hmac.compare_digest(share_check(stanza.x, y), stanza.share_check):
        # The share unwrapped under this header's binding, so it is the one sealed for this key: the
        # check value beside it is what changed.
        raise TamperedEnvelope("The envelope's header was changed: the check value of your share does not match "
                               "the share, which unwrapped correctly.")
    return KeyShare(stanza.x, y)


def share_matches(header: Header, share: KeyShare, key_id: bytes | None = None) -> bool:
    """Whether ``share`` is the one sealed in this header (for the custodian key ``key_id``, if given):
    what an opening checks when a custodian submits, so a mistyped or swapped share is refused at once."""
    if not 1 <= share.x <= len(header.stanzas) or len(share.y) != 32:
        return False
    stanza = header.stanzas[share.x - 1]
    if key_id is not None and stanza.key_id != key_id:
        return False
    return hmac.compare_digest(share_check(share.x, share.y), stanza.share_check)


def recover_file_key(header: Header, shares: Iterable[KeyShare]) -> bytes:
    """Check each share against the header, rebuild the file key, and check it against the MAC.

    A share check value lives in the header, which only the MAC authenticates, so a mismatch alone
    cannot tell a wrong share from a changed header. The header MAC decides: rebuilt from shares
    that match their check values, a key that fails the MAC means the header was changed; rebuilt
    with the mismatching shares, a key under which the MAC verifies once their check values are
    recomputed means those shares are right and the header's check values were changed.
    """
    shares = list(shares)
    seen = set()
    for share in shares:
        if share.x in seen:
            raise BadShare(f"Key share {share.x} was given twice.", index=share.x)
        seen.add(share.x)
        if not 1 <= share.x <= len(header.stanzas) or len(share.y) != 32:
            raise BadShare(f"Key share {share.x} does not belong to this envelope.", index=share.x)
    k = header.threshold
    matching = [s for s in shares if hmac.compare_digest(share_check(s.x, s.y), header.stanzas[s.x - 1].share_check)]
    mismatching = [s for s in shares if s not in matching]
    if len(shares) < k and not mismatching:
        raise NotEnoughShares(
            f"{k} key shares are needed to open this envelope; {len(shares)} were given.", needed=k, given=len(shares)
        )
    wrong = BadShare(f"Key share {mismatching[0].x} is wrong: it is corrupted or belongs to another envelope.",
                     index=mismatching[0].x) if mismatching else None
    if len(shares) < k:
        raise wrong  # too few shares to let the MAC say whether the share or the header is at fault
    # Shares that match the header first; fill up to k with the others only if there are not enough.
    used = (matching + mismatching)[:k]
    repaired = [s for s in mismatching if s in used or len(matching) >= k]
    file_key = shamir.combine([(s.x, s.y) for s in used], k)
    body = header.raw[: -len(header.mac)]
    if hmac.compare_digest(header_mac(file_key, body), header.mac):
        if wrong:  # the header is authentic, so its check values are too
            raise wrong
        return file_key
    if repaired and hmac.compare_digest(header_mac(file_key, _with_checks_of(header, body, repaired)), header.mac):
        raise TamperedEnvelope(
            "The header was changed: the check values of key shares "
            f"{', '.join(str(s.x) for s in repaired)} were altered, while the shares themselves are right "
            "(the header verifies with them once those check values are put back)."
        )
    if len(matching) >= k:
        raise TamperedEnvelope("The header does not verify with the rebuilt key: the header was changed.")
    raise wrong


def _with_checks_of(header: Header, body: bytes, shares: list[KeyShare]) -> bytes:
    """The header's bytes before the MAC with each share's own check value in its stanza."""
    repaired = bytearray(body)
    first_stanza = len(body) - len(header.stanzas) * STANZA_LEN - 1 - 3 * SECTION_ENTRY.size
    for s in shares:
        at = first_stanza + (s.x - 1) * STANZA_LEN + KEY_ID_LEN + 1
        repaired[at : at + CHECK_LEN] = share_check(s.x, s.y)
    return bytes(repaired)


def open_envelope(
    source: BinaryIO,
    shares: Iterable[KeyShare],
    *,
    tender_id: str,
    bid_id: str,
    bid_version: int,
    verify_first: bool = True,
) -> "OpenedEnvelope":
    """Open a seekable envelope with k shares, for the bid it must belong to.

    With ``verify_first`` (the default) every chunk of every section and every document digest is
    checked before this returns: whatever is then read from the result comes from an envelope that
    verified whole, so nothing is published from one that fails later. ``verify_first=False`` reads
    once instead of twice, for callers that publish nothing until they have read everything
    (:meth:`OpenedEnvelope.extract` and :meth:`OpenedEnvelope.verify` are such callers).
    """
    source.seek(0)
    header = read_header(source)
    check_binding(header, tender_id, bid_id, bid_version)
    end = source.seek(0, os.SEEK_END)
    if end != header.envelope_length:
        raise TamperedEnvelope(
            f"The envelope is {end} bytes long but its header describes {header.envelope_length}: "
            "it was truncated or extended."
        )
    opened = OpenedEnvelope(header, recover_file_key(header, shares), source)
    if verify_first:
        try:
            opened.verify()
        except BaseException:
            opened.forget()
            raise
    return opened


class OpenedEnvelope:
    """An envelope whose key is known; every read checks every chunk. Call :meth:`forget` after.

    ``verified`` says whether the whole envelope has been checked (by :meth:`verify`, which
    ``open_envelope`` runs first unless told not to). Until then, read :meth:`documents` as the
    stream it is: each piece it yields comes from a chunk whose tag verified, but the document it
    belongs to is checked against its digest only after its last piece, and every later chunk of
    the envelope only when it is reached. Those bytes are not yet authenticated as a whole and must
    not be published or kept as the bid before the iteration ends without an error.
    """

    def __init__(self, header: Header, file_key: bytes, source: BinaryIO):
        self.header = header
        self._key = file_key
        self._source = source
        self._manifest: list[manifest.ManifestEntry] | None = None
        self._salt = b""
        self.verified = False

    def forget(self) -> None:
        self._key = None

    def _section(self, kind: int, what: str) -> Iterator[bytes]:
        if self._key is None:
            raise RuntimeError("the key of this envelope was forgotten")
        self._source.seek(self.header.section_offset(kind))
        length = self.header.section_length(kind)
        return read_section(section_key(self._key, kind), self.header.hash, self._source, length, what)

    def price_sheet(self) -> bytes:
        """The price sheet; its one section is checked whole before it is returned."""
        padded = b"".join(self._section(PRICE_SHEET, "price sheet"))
        (length,) = struct.unpack_from(">I", padded)
        if length > PRICE_SHEET_MAX or any(padded[4 + length :]):
            # Its chunk verified, so the sealing tool wrote it so: malformed, not changed afterwards.
            raise MalformedEnvelope("The price sheet's padding is not well formed: it was sealed that way.")
        return padded[4 : 4 + length]

    def manifest(self) -> list[manifest.ManifestEntry]:
        """The sealed list of documents; its section is checked whole before it is returned."""
        if self._manifest is None:
            data = b"".join(self._section(MANIFEST, "manifest"))
            docs_length = check_ciphertext_length(self.header.section_length(DOCUMENTS))
            self._salt, self._manifest = manifest.decode(data, docs_length, self.header.version)
        return self._manifest

    def documents(self) -> Iterator[tuple[manifest.ManifestEntry, Iterator[bytes]]]:
        """Yield (entry, pieces) per document in order; consume each fully before the next.

        A stream: see the class's note on what is not yet authenticated when a piece is yielded.
        """
        entries = self.manifest()
        plain = self._section(DOCUMENTS, "documents")
        state = {"chunk": b"", "view": memoryview(b"")}  # the decrypted chunk not yet handed out

        def pieces(entry):
            digest = manifest.FileDigest(self._salt)
            left = entry.size
            while left:
                if not state["view"]:
                    state["chunk"] = next(plain)
                    state["view"] = memoryview(state["chunk"])
                view = state["view"]
                take = min(left, len(view))
                # Hand out whole chunks as they are; copy only the part of a chunk split by a file.
                piece = state["chunk"] if take == len(view) == len(state["chunk"]) else view[:take].tobytes()
                state["view"] = view[take:]
                left -= take
                digest.update(piece)
                yield piece
            if not hmac.compare_digest(digest.digest(), entry.digest):
                raise MalformedEnvelope(
                    f"The document {entry.name!r} does not match its digest in the manifest; every chunk of both "
                    "verifies, so it was sealed that way."
                )
            state["checked"] = True

        for entry in entries:
            state["checked"] = False
            yield entry, pieces(entry)
            if not state["checked"]:  # otherwise the next document would start inside this one
                raise RuntimeError("read every piece of a document before asking for the next one")
        for rest in plain:  # an empty documents section still has its final chunk to check
            if rest:
                raise MalformedEnvelope("The documents section is longer than the manifest says.")

    def extract(self, directory) -> dict:
        """Write the price sheet and the documents under ``directory``, all or nothing.

        Everything goes into a private temporary folder beside ``directory``, which is renamed into
        place only when every chunk and every digest has verified; on any error it is removed, so
        an envelope that fails anywhere leaves nothing behind. ``directory`` must not exist yet, or
        be empty. The price sheet is ``price-sheet.bin``; documents are under ``documents/``.
        """
        target = Path(directory)
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise InvalidInput(f"{target} exists and is not empty; give a new folder to open the bid into.")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
        try:
            (staging / PRICE_SHEET_FILE).write_bytes(self.price_sheet())
            (staging / DOCUMENTS_FOLDER).mkdir()
            written = []
            for entry, pieces in self.documents():
                path = Path(DOCUMENTS_FOLDER, entry.name)
                with (staging / path).open("xb") as fh:
                    for piece in pieces:
                        fh.write(piece)
                    fh.flush()
                    os.fsync(fh.fileno())
                written.append({"name": entry.name, "size": entry.size, "part": entry.part, "path": path.as_posix()})
            self.verified = True
            if target.exists():
                target.rmdir()
            staging.replace(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return {"price_sheet": PRICE_SHEET_FILE, "documents": written}

    def verify(self) -> dict:
        """Decrypt everything, checking every chunk and digest, and keep none of it."""
        price = self.price_sheet()
        total = 0
        for _entry, pieces in self.documents():
            for piece in pieces:
                total += len(piece)
        self.verified = True
        return {"price_sheet_bytes": len(price), "documents": len(self.manifest()), "document_bytes": total}


def envelope_sha256(source: BinaryIO) -> str:
    """The SHA-256 a receipt names: over every byte of the envelope."""
    digest = hashlib.sha256()
    source.seek(0)
    while block := source.read(1 << 20):
        digest.update(block)
    return digest.hexdigest()


def check_upload(
    source: BinaryIO,
    *,
    tender_id: str,
    bid_id: str,
    bid_version: int,
    deadline: datetime | int,
    key_ids: list[str],
    threshold: int,
) -> tuple[Header, str]:
    """What the upload endpoint checks without keys: structure and the current format version,
    binding to this bid, the tender's deadline, custodians and threshold. Returns the header and
    the envelope's SHA-256 for the receipt."""
    header = check_structure(source)
    if header.version < VERSION:  # still opened, but a new bid must label each document's part
        raise MalformedEnvelope(
            f"This envelope was sealed in format version {header.version}, which does not say which part of the "
            f"bid each document belongs to; seal it again with the current tool (version {VERSION}).",
            version=header.version,
        )
    check_binding(header, tender_id, bid_id, bid_version)
    if header.deadline != _epoch(deadline):
        raise WrongTender(
            "The envelope carries another deadline than the tender's.", actual=header.deadline_at.isoformat()
        )
    if [s.key_id.hex() for s in header.stanzas] != list(key_ids) or header.threshold != threshold:
        raise WrongTender("The envelope is not sealed to this tender's key custodians and threshold.")
    return header, envelope_sha256(source)


def check_structure(source: BinaryIO) -> Header:
    """Without keys: the header parses and the length matches it (what an upload checks first)."""
    source.seek(0)
    header = read_header(source)
    end = source.seek(0, os.SEEK_END)
    if end != header.envelope_length:
        raise MalformedEnvelope(
            f"The envelope is {end} bytes long but its header describes {header.envelope_length}."
        )
    return header
