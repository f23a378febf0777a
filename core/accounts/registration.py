"""Registration safeguards: how often one client network may submit the account step.

The account step hashes the new password with scrypt (32 MiB, tens of milliseconds of CPU), before
anything is stored, so a flood of submissions could exhaust the servers' memory and CPU. Attempts
are counted per client network with the sign-in throttle (:mod:`core.auth.throttle`): rows in the
database, so every server instance sees the same count.
"""

from __future__ import annotations

import ipaddress

from flask import request
from flask_babel import gettext as _

from core.auth import throttle

# An IPv6 client usually holds a whole /64; counting single addresses would let it rotate freely.
IPV6_PREFIX = 64


def client_network() -> str:
    """The client address (IPv4) or its /64 network (IPv6), as the key to count attempts under."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def registration_refused() -> str | None:
    """Count one registration attempt from this client; a message to show if it is over the limit.

    The attempt is written and committed before the password is hashed, so parallel requests see
    each other. Nothing else is written when it is refused.
    """
    try:
        throttle.begin_attempt(throttle.limits(register=client_network()))
    except throttle.Throttled as exc:
        return _(
            "Too many registrations have been tried from your network in a short time. "
            "Please try again in about %(minutes)s minutes.",
            minutes=-(-exc.retry_after // 60),
        )
    return None
