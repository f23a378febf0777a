"""The application factory."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, load_config

# Every model module, imported before anything reads the metadata (Alembic compares against it).
MODELS = (
    "core.accounts.models",
    "core.audit.models",
    "core.auth.models",
    "core.jobs.models",
    "credit.models",
    "tender.sealing.models",
)
# Job modules, imported so that ``flask rq cron`` finds the periodic jobs they register.
TASKS = (
    "core.jobs.tasks",
    "credit.tasks",
)
# Feature blueprints, in the order their URL prefixes are read.
BLUEPRINTS = (
    "core.views:bp",
    "core.accounts.views:bp",
    "core.auth.views:bp",
    "core.audit.views:bp",
    "core.jobs.views:bp",
    "core.api_docs:bp",
    "credit.views:bp",
    "tender.sealing.views:bp",
)
API_BLUEPRINTS = (
    "core.accounts.api:blp",
    "core.jobs.api:blp",
    "credit.api:blp",
    "tender.sealing.api:blp",
)
CLI_GROUPS = (
    "core.audit.cli:audit_cli",
    "core.demo:demo_cli",
    "core.accounts.cli:accounts_cli",
    "credit.cli:credit_cli",
    "tender.sealing.cli:seal_cli",
)


def _resolve(ref: str):
    """Import ``module:attr``."""
    module_name, attr = ref.split(":")
    return getattr(importlib.import_module(module_name), attr)


def translation_directories() -> str:
    dirs = [str(p) for p in sorted(BASE_DIR.glob("**/translations")) if ".venv" not in p.parts]
    return ";".join(dirs)


def create_app(config=None) -> Flask:
    app = Flask(__name__, instance_path=None, template_folder="core/templates", static_folder="core/static")
    app.config.from_object(config if config is not None else load_config())
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    if app.config.get("INSTANCE_PATH"):
        app.instance_path = app.config["INSTANCE_PATH"]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from core import errors, i18n, security, web
    from core.audit.operations import install as install_audit
    from core.extensions import api, babel, csrf, db, login_manager, migrate, rq

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    security.init_login(app)
    rq.init_app(app)
    api.init_app(app, spec_kwargs={"info": {"description": "Tendering and credit registry"}})
    install_audit()

    for name in MODELS + TASKS:
        importlib.import_module(name)
    for ref in BLUEPRINTS:
        app.register_blueprint(_resolve(ref))
    for ref in API_BLUEPRINTS:
        api.register_blueprint(_resolve(ref))
    for ref in CLI_GROUPS:
        app.cli.add_command(_resolve(ref))
    if app.config.get("PROXY_HOPS"):
        # Behind a reverse proxy: take the client address and scheme from the hops we trust, and
        # no more, so a client cannot pick its own address (login throttling and rate limits key on it).
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    web.init_app(app)
    errors.init_app(app)
    return app
