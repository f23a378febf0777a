"""Application factories served by gunicorn in bench/credit_bench.py: the real app, and a bare route.

The real app runs the production configuration against the benchmark database; the lookup rate
limit stays on (its Redis round trip is part of the cost) with a ceiling the load cannot reach.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify


def create_app():
    from app import create_app as factory
    from config import ProductionConfig

    config = ProductionConfig()
    config.CREDIT_LOOKUP_PER_MINUTE = int(os.environ.get("CREDIT_LOOKUP_PER_MINUTE", "1000000000"))
    config.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_size": 8}
    config.SESSION_COOKIE_SECURE = False
    config.CREDIT_PUBLIC_CACHE = os.environ.get("CREDIT_PUBLIC_CACHE", "1") == "1"
    config.PROXY_HOPS = 0  # loopback: the peer is the client (nginx in front sends the same address)
    return factory(config)


def create_bare_app():
    app = Flask("bare")

    @app.get("/bare")
    def bare():
        return jsonify({"ok": True, "uscc": "91310000000000000X", "name": "bare"})

    return app
