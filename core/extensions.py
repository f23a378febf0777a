"""Extensions, created unbound and bound to an application in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from core.db import db
from core.jobs.worker import PlatformRQ

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
api = Api()
rq = PlatformRQ()

__all__ = ["api", "babel", "csrf", "db", "login_manager", "migrate", "rq"]
