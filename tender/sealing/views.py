"""Sealing pages (投标文件加密): custodian key creation and checks, sealing a bid in the browser,
inspecting an envelope, verifying a receipt. The pages only load the JavaScript modules and show
results; every key and every plaintext stays in the browser."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user

from core.accounts.models import Role
from core.authz import PUBLIC, SIGNED_IN, access, active_membership, active_role, roles
from tender.sealing import operations

bp = Blueprint("sealing", __name__, url_prefix="/sealing", template_folder="templates", static_folder="static",
               static_url_path="/static")


@bp.app_context_processor
def custody_status():
    """``sealing_custody()`` for the account page: None for people who hold no custody (firms), else
    ``{"key": their registered key or None}``. Called only where shown, so other pages run no query."""

    def sealing_custody() -> dict | None:
        if not current_user.is_authenticated or not operations.may_hold_custody(current_user, active_role()):
            return None
        return {"key": operations.active_key(current_user)}

    return {"sealing_custody": sealing_custody}


@bp.get("/custodian-key")
@access(SIGNED_IN)
def custodian_key():
    from core.views import page_sections

    return render_template("sealing/custodian_key.html", key=operations.active_key(current_user),
                           sections=page_sections("custodian_key", active_membership()))


@bp.get("/check-key")
@access(SIGNED_IN)
def check_key():
    return render_template("sealing/check_key.html", key=operations.active_key(current_user))


@bp.get("/seal")
@access(roles(Role.FIRM))
def seal():
    return render_template("sealing/seal.html")


@bp.get("/inspect")
@access(PUBLIC)
def inspect():
    return render_template("sealing/inspect.html")


@bp.get("/receipt")
@access(PUBLIC)
def receipt():
    return render_template("sealing/receipt.html")


@access(PUBLIC)
def well_known_key():
    """The platform's receipt-signing public key, at the site-wide well-known URL."""
    return jsonify(operations.platform_key_document())


@bp.record_once
def _register_well_known(state):
    state.app.add_url_rule("/.well-known/tender-seal-receipt-key", "sealing_well_known_key", well_known_key)
