"""Sealed bids (投标文件密封): envelope format, k-of-n key custody, receipts.

The only package in the project that touches cryptographic primitives. Import from here:
``seal``, ``inspect``, ``open_envelope``, ``unwrap_share`` and friends; the Flask views, API and
CLI are thin layers over these functions.
"""


from tender.sealing.envelope import (  # noqa: F401
    Document, KeyShare, OpenedEnvelope, check_binding, check_structure, check_upload, envelope_sha256, inspect,
    open_envelope, recover_file_key, seal, share_matches, unwrap_share,
)
from tender.sealing.errors import (  # noqa: F401
    BadShare, InvalidInput, KeyFileError, MalformedEnvelope, NotEnoughShares, ReceiptError, SealError,
    TamperedEnvelope, TooEarly, WrongTender,
)


def init_app(app) -> None:
    """Install the sealing pages, API and commands; in production, only with a provisioned receipt key."""
    import core

    import tender.sealing.models  # noqa: F401  (registers the tables)

    if app.config.get("NAME") == "production":
        _require_receipt_key(app.config["PLATFORM_KEY_DIR"])
    core.register(app, blueprints=("tender.sealing.views:bp",), api_blueprints=("tender.sealing.api:blp",),
                  cli_groups=("tender.sealing.cli:seal_cli",))


def _require_receipt_key(directory) -> None:
    """Two hosts that each made their own key on first use would sign with different keys, so
    production starts only with the one key the operator provisioned and gave every host."""
    from config import ConfigError
    from tender.sealing import platform_keys

    try:
        platform_keys.load(directory)
    except platform_keys.NotProvisioned:
        raise ConfigError(
            f"no receipt-signing key in PLATFORM_KEY_DIR ({directory}); create it once with "
            "'python -m app provision-keys' and give every host that folder"
        ) from None
    except ReceiptError as exc:
        raise ConfigError(f"the receipt-signing key in PLATFORM_KEY_DIR cannot be used: {exc.message}") from None


def provision_keys(config) -> list[str]:
    """Make the receipt-signing key if the key folder has none (``python -m app provision-keys``)."""
    from pathlib import Path

    from core import key_folder
    from tender.sealing import platform_keys

    folder = key_folder(config)
    try:
        platform_keys.load(folder)
        return []
    except platform_keys.NotProvisioned:
        platform_keys.create(folder)
        return [str(Path(folder) / platform_keys.KEY_FILE)]
