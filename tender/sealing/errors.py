"""Errors of the sealed-bid module, each one a case a person can act on.

Every error carries a plain message meant for the person at the screen; none of them carries key
material or plaintext, so logging them is safe.
"""

from __future__ import annotations


class SealError(Exception):
    """Base of every error this module raises on purpose."""

    code = "seal_error"

    def __init__(self, message: str, **details):
        super().__init__(message)
        self.message = message
        self.details = details


class MalformedEnvelope(SealError):
    """The bytes are not an envelope of a version this module reads."""

    code = "malformed_envelope"


class TamperedEnvelope(SealError):
    """The envelope was changed, truncated, reordered or mixed with another one."""

    code = "tampered_envelope"


class WrongTender(SealError):
    """The envelope belongs to another tender, bid or bid version than the one being opened."""

    code = "wrong_tender"


class BadShare(SealError):
    """A key share is corrupted, duplicated, or belongs to another envelope."""

    code = "bad_share"


class NotEnoughShares(SealError):
    """Fewer distinct shares than the envelope's threshold."""

    code = "not_enough_shares"


class KeyFileError(SealError):
    """A custodian key file could not be used: wrong passphrase, wrong file, damaged file."""

    code = "key_file"


class TooEarly(SealError):
    """A custodian tool refuses to unwrap a bid's share before the deadline bound into it."""

    code = "too_early"


class ReceiptError(SealError):
    """A receipt or a receipt log does not verify."""

    code = "receipt"


class InvalidInput(SealError):
    """Arguments to seal are outside what version 1 can carry (too many files, long names, ...)."""

    code = "invalid_input"
