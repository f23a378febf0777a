"""Application factories served by gunicorn in bench/bidding_rush.py: the real app in the production
configuration, and a bare streaming-upload route (write + fsync, no checks) to compare it with."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, jsonify, request


def create_app():
    from app import create_app as factory
    from config import ProductionConfig

    config = ProductionConfig()
    config.SESSION_COOKIE_SECURE = False
    config.PROXY_HOPS = 0  # loopback: the peer is the client
    config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_size": 8}
    return factory(config)


def create_bare_app():
    """PUT /bare: stream the body to a file in 1 MiB pieces, fsync it, answer 201."""
    app = Flask("bare")
    folder = Path(os.environ["BARE_UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)

    @app.put("/bare")
    def bare():
        path = folder / secrets.token_hex(8)
        size = 0
        with open(path, "wb") as out:
            while chunk := request.stream.read(1024 * 1024):
                out.write(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        return jsonify({"size": size}), 201

    return app
