"""Identity fingerprints shared by bids: identical files, the same metadata, creation times minutes
apart, the same uploader, device or network address, bid securities paid from one account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from tender.evaluation.conflicts import plain_name
from tender.evaluation.documents import DocumentMetadata
from tender.evaluation.flags.base import Evidence, Flag, figure, groups_sharing
from tender.evaluation.rules import FlagRule

# Metadata that names a person or a file: shared by two bids at all, it is a lead.
PERSONAL_FIELDS = ("author", "last_modified_by", "company", "document_id", "xmp_document_id", "revision_root")
# Metadata that names software: a lead only when few bids share it.
TOOL_FIELDS = ("creator_tool", "producer")


@dataclass(frozen=True)
class FileFacts:
    name: str
    sha256: str
    metadata: DocumentMetadata | None = None


@dataclass(frozen=True)
class BidFingerprint:
    """What the bidding stage knows about how a bid was made and sent."""

    bid: str
    files: tuple[FileFacts, ...] = ()
    uploader_user_id: int | None = None
    device_ids: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    security_account: str | None = None  # the account the bid security (投标保证金) came from


def identical_files(bids: list[BidFingerprint], tender_sha256s: frozenset[str] = frozenset()) -> list[Flag]:
    """The same file (by SHA-256) in two or more bids, leaving out files of the tender documents themselves."""
    names = {(b.bid, f.sha256): f.name for b in bids for f in b.files}
    shared = groups_sharing({b.bid: [f.sha256 for f in b.files if f.sha256 not in tender_sha256s] for b in bids})
    return [Flag("identical_file", holders, figures={"sha256": digest},
                 evidence=tuple(Evidence("file", names[(bid, digest)], left_ref=bid) for bid in holders))
            for digest, holders in sorted(shared.items())]


def shared_metadata(bids: list[BidFingerprint], rule: FlagRule) -> list[Flag]:
    """The same author, last editor, company, document id or creating tool in the metadata of two or more bids."""
    generic = {plain_name(v) for v in rule.generic_metadata}
    max_share = Decimal(rule.common_tool_max_share)
    flags = []
    for name in PERSONAL_FIELDS + TOOL_FIELDS:
        values: dict[str, list[str]] = {}
        shown: dict[str, str] = {}
        for b in bids:
            for f in b.files:
                raw = getattr(f.metadata, name, None) if f.metadata else None
                key = plain_name(raw)
                if raw and key not in generic:
                    values.setdefault(b.bid, []).append(key)
                    shown.setdefault(key, raw)
        for key, holders in sorted(groups_sharing(values).items()):
            if name in TOOL_FIELDS and Decimal(len(holders)) > max_share * len(bids):
                continue
            flags.append(Flag("shared_metadata", holders, figures={"field": name, "value": shown[key],
                                                                   "bids_sharing": len(holders)}))
    return flags


def close_creation_times(bids: list[BidFingerprint], rule: FlagRule) -> list[Flag]:
    """Documents of two bids created within the rule's minutes of each other (the closest pair of files)."""
    window = timedelta(minutes=rule.creation_minutes)
    stamps = sorted((f.metadata.created_at, b.bid, f.name) for b in bids for f in b.files
                    if f.metadata and f.metadata.created_at)
    closest: dict[tuple[str, str], tuple[timedelta, tuple, tuple]] = {}
    for i, first in enumerate(stamps):
        for second in stamps[i + 1:]:
            gap = second[0] - first[0]
            if gap > window:
                break
            if first[1] == second[1]:
                continue
            pair = tuple(sorted((first[1], second[1])))
            if pair not in closest or gap < closest[pair][0]:
                closest[pair] = (gap, first, second)
    flags = []
    for pair, (gap, first, second) in sorted(closest.items()):
        flags.append(Flag("creation_times_close", pair, figures={
            "minutes_apart": figure(Decimal(gap.total_seconds()) / 60, 1), "window_minutes": rule.creation_minutes},
            evidence=(Evidence("created", f"{first[2]} {first[0].isoformat()}", f"{second[2]} {second[0].isoformat()}",
                               first[1], second[1]),)))
    return flags


def shared_submission(bids: list[BidFingerprint]) -> list[Flag]:
    """The same uploading account, device identifier, network address or bid-security account."""
    flags = []
    checks = (
        ("same_uploader", lambda b: [str(b.uploader_user_id)] if b.uploader_user_id is not None else []),
        ("same_device", lambda b: list(b.device_ids)),
        ("same_address", lambda b: list(b.addresses)),
        ("same_security_account", lambda b: [plain_name(b.security_account)] if b.security_account else []),
    )
    for kind, values in checks:
        for value, holders in sorted(groups_sharing({b.bid: values(b) for b in bids}).items()):
            flags.append(Flag(kind, holders, figures={"value": value}))
    return flags


def fingerprint_flags(bids: list[BidFingerprint], rule: FlagRule,
                      tender_sha256s: frozenset[str] = frozenset()) -> list[Flag]:
    """Every fingerprint flag."""
    return (identical_files(bids, tender_sha256s) + shared_metadata(bids, rule) + close_creation_times(bids, rule)
            + shared_submission(bids))
