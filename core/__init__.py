"""The platform's shared parts: database, accounts, login, authorisation, audit, jobs, blobs, API,
the business clock and the working-day calendar.

``core`` imports no feature package; features attach themselves through their own ``init_app``.
"""

from __future__ import annotations

import importlib

# Model and job modules of core, imported before anything reads the metadata (Alembic compares
# against it) or ``flask rq cron`` looks for periodic jobs.
MODELS = (
    "core.accounts.models",
    "core.audit.models",
    "core.auth.models",
    "core.jobs.models",
    "core.calendar.models",
    "core.clock.models",
    "core.uploads.models",
)
TASKS = ("core.jobs.tasks", "core.audit.tasks", "core.uploads.tasks")
BLUEPRINTS = (
    "core.views:bp",
    "core.accounts.views:bp",
    "core.auth.views:bp",
    "core.audit.views:bp",
    "core.jobs.views:bp",
    "core.calendar.views:bp",
    "core.clock.views:bp",
    "core.api_docs:bp",
)
API_BLUEPRINTS = (
    "core.accounts.api:blp",
    "core.jobs.api:blp",
    "core.uploads.api:blp",
)
CLI_GROUPS = (
    "core.audit.cli:audit_cli",
    "core.demo:demo_cli",
    "core.accounts.cli:accounts_cli",
    "core.calendar.cli:calendar_cli",
    "core.clock:clock_cli",
)


def resolve(ref: str):
    """Import ``module:attr``."""
    module_name, attr = ref.split(":")
    return getattr(importlib.import_module(module_name), attr)


def register(app, *, blueprints=(), api_blueprints=(), cli_groups=()) -> None:
    """Register a package's blueprints, API blueprints and command groups (given as ``module:attr``)."""
    from core.extensions import api

    for ref in blueprints:
        app.register_blueprint(resolve(ref))
    for ref in api_blueprints:
        api.register_blueprint(resolve(ref))
    for ref in cli_groups:
        app.cli.add_command(resolve(ref))


def init_app(app) -> None:
    """Bind the extensions and the shared parts; features are installed after this."""
    from core import i18n, requests, security, web
    from core.audit.operations import install as install_audit
    from core.extensions import api, babel, csrf, db, login_manager, migrate, rq
    from core.jobs.queueing import install as install_job_queueing
    from config import BASE_DIR

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    security.init_login(app)
    rq.init_app(app)
    api.init_app(app, spec_kwargs={"info": {"description": "Tendering and credit registry"}})
    install_audit()
    install_job_queueing()
    _require_provisioned_keys(app)
    for name in MODELS + TASKS:
        importlib.import_module(name)
    web.init_app(app)
    requests.init_app(app)
    register(app, blueprints=BLUEPRINTS, api_blueprints=API_BLUEPRINTS, cli_groups=CLI_GROUPS)


def key_folder(config) -> str:
    """Where the platform's own keys live (PLATFORM_KEY_DIR; the instance folder by default)."""
    from pathlib import Path

    def setting(name):
        return config.get(name) if isinstance(config, dict) else getattr(config, name, None)

    if setting("PLATFORM_KEY_DIR"):
        return str(setting("PLATFORM_KEY_DIR"))
    return str(Path(setting("INSTANCE_PATH") or "instance") / "keys")


def provision_keys(config) -> list[str]:
    """Make core's key files that are missing (the audit chain's MAC and signing keys)."""
    from pathlib import Path

    from core.audit import keys

    folder = key_folder(config)
    before = {p for p in (keys.MAC_KEY_FILE, keys.SIGNING_KEY_FILE) if (Path(folder) / p).exists()}
    keys.create_keys(folder)
    return [str(Path(folder) / p) for p in (keys.MAC_KEY_FILE, keys.SIGNING_KEY_FILE) if p not in before]


def _require_provisioned_keys(app) -> None:
    """Production signs with keys that every host shares; it never makes its own on the fly."""
    from config import ConfigError
    from core.audit import keys

    if app.config.get("NAME") != "production":
        return
    folder = key_folder(app.config)
    if not keys.provisioned(folder):
        raise ConfigError(f"the audit keys are not in {folder}: run `python -m app provision-keys` once and "
                          "share PLATFORM_KEY_DIR with every host")


def finish_app(app) -> None:
    """What needs every feature installed first: error answers and CSRF rules for the API."""
    from core import errors

    errors.init_app(app)
