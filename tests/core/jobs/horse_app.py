"""The application a worker's job process loads in the tests (FLASK_APP points here).

flask-rq runs each job in a fresh ``flask rq work-horse`` process, which builds its application
from FLASK_APP; this factory gives it the test session's database, Redis and mail settings, which
the fixtures pass through the environment.
"""

from __future__ import annotations

import os

from config import TestingConfig


def create_app():
    from app import create_app as factory

    env = os.environ
    return factory(
        TestingConfig(
            SQLALCHEMY_DATABASE_URI=env["HORSE_DATABASE_URL"],
            RQ_CONNECTION=env["HORSE_REDIS_URL"],
            INSTANCE_PATH=env["HORSE_INSTANCE_PATH"],
            BLOB_DIR=os.path.join(env["HORSE_INSTANCE_PATH"], "blobs"),
            MAIL_SERVER=env.get("HORSE_MAIL_SERVER") or None,
            MAIL_PORT=int(env.get("HORSE_MAIL_PORT", "25")),
            MAIL_USE_TLS=False,
            MAIL_USERNAME=None,
        )
    )
