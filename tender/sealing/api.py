"""Sealing API: custodian key registration with proof of possession, key checks, platform key.

Unwrapping always happens on the custodian's device; these calls only hand out wrapped test
shares and compare the answers. The request commits at its boundary (core.requests).
"""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint

from core.authz import PUBLIC, SIGNED_IN, access
from core.db import NotFound
from tender.sealing import operations
from tender.sealing.schemas import (
    CustodianKeySchema, KeyAnswerSchema, KeyCheckSchema, KeyRegistrationSchema, PlatformKeySchema, PublicKeySchema,
)

blp = Blueprint("sealing_api", __name__, url_prefix="/api/v1/sealing", description="Sealed bids: keys and receipts")


@blp.route("/custodian-keys/challenge")
class RegistrationChallenge(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(PublicKeySchema)
    @blp.response(200, KeyCheckSchema)
    def post(self, args):
        """A test share for a key about to be registered; its answer is the proof of possession."""
        return operations.issue_registration_check(current_user, args["public_key"])


@blp.route("/custodian-keys")
class CustodianKeys(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(KeyRegistrationSchema)
    @blp.response(201, CustodianKeySchema)
    def post(self, args):
        """Register the signed-in user's custodian public key (retires their previous one)."""
        return operations.register_custodian_key(current_user, args, actor=current_user)


@blp.route("/custodian-keys/current")
class CurrentKey(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, CustodianKeySchema)
    def get(self):
        """The signed-in user's registered custodian key."""
        key = operations.active_key(current_user)
        if key is None:
            raise NotFound(_("You have no custodian key registered."))
        return key


@blp.route("/custodian-keys/current/check")
class KeyCheck(MethodView):
    @access(SIGNED_IN)
    @blp.response(200, KeyCheckSchema)
    def post(self):
        """A test share for the registered key, to unwrap on the custodian's device."""
        return operations.issue_key_check(current_user)


@blp.route("/custodian-keys/current/check/answer")
class KeyCheckAnswer(MethodView):
    @access(SIGNED_IN)
    @blp.arguments(KeyAnswerSchema)
    @blp.response(200, CustodianKeySchema)
    def post(self, args):
        """Confirm a key check: the key file and passphrase work."""
        return operations.confirm_key_check(current_user, args, actor=current_user)


@blp.route("/platform-key")
class PlatformKey(MethodView):
    @access(PUBLIC)
    @blp.response(200, PlatformKeySchema)
    def get(self):
        """Every Ed25519 receipt-signing public key the platform has used; the one in use also at the top."""
        return operations.platform_key_document()
