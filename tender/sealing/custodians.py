"""The tender's custodian list, custodians.json (开标密钥保管人名单): what a firm seals to.

One JSON object (docs/envelope.md section 4.1) naming the tender, its deadline, the threshold k and
the custodians' public keys in share order. The platform writes it from the tender's registered
keys; the command-line tool and the browser's sealing page read it and refuse anything else.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from tender.sealing import hpke
from tender.sealing.encoding import b64decode, b64encode, hexdecode
from tender.sealing.errors import InvalidInput
from tender.sealing.format import MAX_DEADLINE, check_identifier

# RFC 3339 with whole seconds and an explicit offset: an envelope's deadline is a whole second, and
# a time without a zone would be read in whatever zone the reading machine is in.
_DEADLINE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class CustodianList:
    tender_id: str
    deadline: int  # seconds since 1970 UTC
    threshold: object  # as written; check_threshold judges it, so a tool may let an option override it
    public_keys: list[bytes]


def format_deadline(deadline: datetime | int) -> str:
    """The deadline as custodians.json writes it: UTC, whole seconds, ``Z``."""
    if isinstance(deadline, datetime):
        if deadline.tzinfo is None:
            raise InvalidInput("The deadline must be an aware datetime (UTC).")
        deadline = int(deadline.timestamp())
    return datetime.fromtimestamp(deadline, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def parse_deadline(text) -> int:
    """Seconds since 1970 UTC of an RFC 3339 time with whole seconds and an offset, or InvalidInput."""
    if not isinstance(text, str) or not _DEADLINE.fullmatch(text):
        raise InvalidInput(
            "The deadline must be written like 2026-12-01T10:00:00+08:00 (or …Z): whole seconds, with its offset."
        )
    try:
        value = int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise InvalidInput(f"The deadline {text} is not a real date and time.") from None
    if not 0 <= value <= MAX_DEADLINE:
        raise InvalidInput("The deadline must lie between 1970-01-01 and 9999-12-31T23:59:59Z.")
    return value


def encode(tender_id: str, deadline: datetime | int, threshold: int, public_keys: list[bytes]) -> dict:
    """The custodians.json document for a tender."""
    return {
        "tender_id": tender_id,
        "deadline": format_deadline(deadline),
        "threshold": threshold,
        "custodians": [{"key_id": hpke.key_id(pk).hex(), "public_key": b64encode(pk)} for pk in public_keys],
    }


def parse(text: str | bytes) -> CustodianList:
    """Read custodians.json, checking every member but the threshold's value (see CustodianList)."""
    try:
        data = json.loads(text.decode("utf-8") if isinstance(text, bytes) else text)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("The custodian list is not UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise InvalidInput("The custodian list must be a JSON object.")
    tender_id = check_identifier(data.get("tender_id"), "tender id")
    deadline = parse_deadline(data.get("deadline"))
    entries = data.get("custodians")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InvalidInput("The custodian list's custodians must be a list of objects.")
    keys = []
    for number, entry in enumerate(entries, start=1):
        try:
            public = b64decode(entry.get("public_key"), 32)
            key_id = hexdecode(entry.get("key_id"), hpke.KEY_ID_LEN)
        except ValueError:
            raise InvalidInput(
                f"Custodian {number} in the list needs a public_key (32 bytes in base64) and a key_id "
                "(32 lowercase hexadecimal digits)."
            ) from None
        if key_id != hpke.key_id(public):
            raise InvalidInput(f"Custodian {number} in the list has a key_id that does not belong to its public key.")
        keys.append(public)
    return CustodianList(tender_id, deadline, data.get("threshold"), keys)
