"""The application a worker's job process loads in the credit tests (FLASK_APP points here)."""

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
            CREDIT_EXCHANGE_DIR=env["HORSE_CREDIT_EXCHANGE_DIR"],
        )
    )
