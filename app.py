"""The application factory.

``create_app`` binds the shared parts (``core``) and then each feature package through its own
``init_app``: a feature registers its models, jobs, blueprints, API, commands, hooks and demo data
there, and nowhere else.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, ConfigError, load_config

# Feature packages, in the order they are installed (a later one may use an earlier one's parts).
FEATURES = ("credit", "tender")


def translation_directories() -> str:
    dirs = [str(p) for p in sorted(BASE_DIR.glob("**/translations")) if ".venv" not in p.parts]
    return ";".join(dirs)


def create_app(config=None) -> Flask:
    """Build the application; a configuration that cannot work stops it with one line saying why."""
    try:
        return _create_app(config)
    except ConfigError as exc:
        # Operators read this in a service log: one line naming what is missing, not a traceback.
        print(f"configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _create_app(config=None) -> Flask:
    app = Flask(__name__, instance_path=None, template_folder="core/templates", static_folder="core/static")
    app.config.from_object(config if config is not None else load_config())
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    if app.config.get("INSTANCE_PATH"):
        app.instance_path = app.config["INSTANCE_PATH"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    import core

    core.init_app(app)
    for name in FEATURES:
        importlib.import_module(name).init_app(app)
    core.finish_app(app)

    if app.config.get("PROXY_HOPS"):
        # Behind a reverse proxy: take the client address and scheme from the hops we trust, and
        # no more, so a client cannot pick its own address (login throttling and rate limits key on it).
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def provision_keys(config=None) -> list[str]:
    """Create every key file the configuration needs that is missing (production never makes its
    own keys at start-up); returns the files made. Run once per installation, before the first start:

        PLATFORM_CONFIG=production ... python -m app provision-keys
    """
    import core

    config = config if config is not None else load_config()
    made = core.provision_keys(config)
    for name in FEATURES:
        feature = importlib.import_module(name)
        if hasattr(feature, "provision_keys"):
            made += feature.provision_keys(config)
    return made


if __name__ == "__main__":
    if sys.argv[1:] != ["provision-keys"]:
        sys.exit("usage: python -m app provision-keys")
    try:
        created = provision_keys()
    except ConfigError as exc:
        sys.exit(f"configuration error: {exc}")
    print("\n".join(f"made {path}" for path in created) or "every key is already in place")
