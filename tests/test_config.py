"""Settings: every key the code reads is declared in config.py, every environment setting is in the
README, and production refuses a configuration that cannot be safe with one plain line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from config import BASE_DIR

CODE_DIRS = ("app.py", "core", "credit", "tender")
# Keys that Flask or an extension defines and the code reads (their defaults are the library's).
FRAMEWORK_KEYS = {
    "SECRET_KEY", "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "WTF_CSRF_SECRET_KEY", "TESTING", "DEBUG",
    "BABEL_DEFAULT_LOCALE", "BABEL_DEFAULT_TIMEZONE", "BABEL_TRANSLATION_DIRECTORIES", "SERVER_NAME",
    "PREFERRED_URL_SCHEME", "API_TITLE", "API_VERSION", "OPENAPI_VERSION", "RQ_CONNECTION", "RQ_QUEUES", "RQ_ASYNC",
    "SQLALCHEMY_DATABASE_URI", "MAX_CONTENT_LENGTH",
    "CACHE_TYPE", "CACHE_REDIS_URL", "CACHE_KEY_PREFIX",  # Flask-Caching, bound by core.public_cache
}
READ = re.compile(r"""config(?:\.get|\.setdefault)?\(\s*["']([A-Z][A-Z0-9_]+)["']|config\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]""")
ENV = re.compile(r"""_env(?:_int)?\(\s*["']([A-Z][A-Z0-9_]+)["']""")


def _sources():
    for name in CODE_DIRS:
        path = BASE_DIR / name
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            yield file, file.read_text(encoding="utf-8")


def _declared() -> set[str]:
    import config

    names = set()
    for cls in (config.BaseConfig, config.EmbeddedConfig, config.ProductionConfig, config.TestingConfig):
        names |= {n for n in dir(cls) if n.isupper()}
    source = (BASE_DIR / "config.py").read_text(encoding="utf-8")
    names |= set(re.findall(r"self\.([A-Z][A-Z0-9_]+)\s*=", source))
    return names


def test_every_configuration_key_the_code_reads_is_declared():
    declared = _declared() | FRAMEWORK_KEYS
    missing = {}
    for file, text in _sources():
        for match in READ.finditer(text):
            key = match.group(1) or match.group(2)
            if key not in declared:
                missing.setdefault(key, str(file.relative_to(BASE_DIR)))
    assert missing == {}


def test_every_environment_setting_is_documented_in_the_readme():
    config_source = (BASE_DIR / "config.py").read_text(encoding="utf-8")
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    settings = set(ENV.findall(config_source))
    undocumented = sorted(s for s in settings if f"`{s}`" not in readme)
    assert settings and undocumented == []


def _start_production(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    environment.update(PLATFORM_CONFIG="production", **env)
    return subprocess.run([sys.executable, "-c", "from app import create_app; create_app()"], cwd=BASE_DIR,
                          env=environment, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("env, named", [
    ({}, "SECRET_KEY, DATABASE_URL"),
    ({"SECRET_KEY": "x" * 48}, "DATABASE_URL"),
    ({"SECRET_KEY": "short", "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}, "at least 32"),
    ({"SECRET_KEY": " " * 40, "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}, "at least 32"),
])
def test_production_refuses_to_start_with_one_line_naming_the_problem(env, named):
    result = _start_production(**env)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("configuration error:") and named in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_to_start_without_provisioned_keys_and_provisioning_makes_them(tmp_path, database_url):
    settings = {"SECRET_KEY": "x" * 48, "DATABASE_URL": database_url, "PLATFORM_KEY_DIR": str(tmp_path / "keys"),
                "INSTANCE_PATH": str(tmp_path)}
    refused = _start_production(**settings)
    assert refused.returncode == 2 and "python -m app provision-keys" in refused.stderr
    assert "Traceback" not in refused.stderr
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")}
    environment.update(PLATFORM_CONFIG="production", **settings)
    made = subprocess.run([sys.executable, "-m", "app", "provision-keys"], cwd=BASE_DIR, env=environment,
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0 and "made" in made.stdout, made.stderr
    started = _start_production(**settings)
    assert started.returncode == 0, started.stderr
    again = subprocess.run([sys.executable, "-m", "app", "provision-keys"], cwd=BASE_DIR, env=environment,
                           capture_output=True, text=True, timeout=60)
    assert "already in place" in again.stdout
