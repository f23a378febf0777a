"""Sealed bids (投标文件密封): envelope format, k-of-n key custody, receipts.

The only package in the project that touches cryptographic primitives. Import from here:
``seal``, ``inspect``, ``open_envelope``, ``unwrap_share`` and friends; the Flask views, API and
CLI are thin layers over these functions.
"""

from tender.sealing.envelope import (  # noqa: F401
    Document, KeyShare, OpenedEnvelope, check_binding, check_structure, check_upload, envelope_sha256, inspect,
    open_envelope, recover_file_key, seal, unwrap_share,
)
from tender.sealing.errors import (  # noqa: F401
    BadShare, InvalidInput, KeyFileError, MalformedEnvelope, NotEnoughShares, ReceiptError, SealError,
    TamperedEnvelope, TooEarly, WrongTender,
)


def init_app(app) -> None:
    """Install the sealing pages, API and commands."""
    import core

    import tender.sealing.models  # noqa: F401  (registers the tables)

    core.register(app, blueprints=("tender.sealing.views:bp",), api_blueprints=("tender.sealing.api:blp",),
                  cli_groups=("tender.sealing.cli:seal_cli",))
