"""HTML pages of bidding: the firm's bid page, its receipts, and the public sealed-bid list."""

from flask import Blueprint

bp = Blueprint("bidding", __name__, url_prefix="/tenders", template_folder="../templates", static_folder="../static",
               static_url_path="/bidding-static")
