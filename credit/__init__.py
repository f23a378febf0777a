"""Credit registry (信用档案): subjects, conduct catalogue, records and their due process, scores,
public lookup and exchange with the city public credit platform.

``credit`` uses ``core`` and never imports ``tender``; the tendering side calls the public
operations in :mod:`credit.operations` (eligibility, credit factor, score, tender violations).
"""

from __future__ import annotations


def init_app(app) -> None:
    """Install the credit registry: models, jobs, pages, API, commands, session hooks, answer cache, demo data."""
    import core
    from config import ConfigError
    from core import datakeys
    from core.demo import register_seeder
    from credit import cache, search

    import credit.models  # noqa: F401  (registers the tables)
    import credit.tasks  # noqa: F401  (registers the periodic jobs)

    # National IDs are stored under the data key: an installation that must provision its keys
    # (production) does not start without one, rather than failing at the first manager registered.
    if not app.config.get("DATA_KEY_AUTO_CREATE") and not datakeys.provisioned(app):
        raise ConfigError(f"no data key in {datakeys.key_dir(app)}: run `python -m app provision-keys` "
                          "(or set DATA_KEY_DIR to the folder holding the key ring)")

    core.register(app, blueprints=("credit.views:bp",), api_blueprints=("credit.api:blp",),
                  cli_groups=("credit.cli:credit_cli", "core.datakeys:keys_cli"))
    search.install()
    cache.install(app)

    from credit import demo

    register_seeder(app, "credit", demo.seed)


def provision_keys(config) -> list[str]:
    """Make the first data key (national IDs are stored under it) if the key ring has none."""
    from core import datakeys

    folder = datakeys.folder_of(config)
    if datakeys.has_keys(folder):
        return []
    return [str(folder / f"{datakeys.create_key(folder)}.key")]
