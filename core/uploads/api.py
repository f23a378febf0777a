"""The resumable-upload API (the tus 1.0 core protocol with its creation extension; docs/uploads.md)."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from core.authz import access, signed_in
from core.db import db
from core.idempotency import idempotent
from core.uploads import operations as ops
from core.uploads.schemas import UploadCreate, UploadOut
from core.web import body_limit

blp = Blueprint("uploads_api", __name__, url_prefix="/api/v1/uploads",
                description="Resumable uploads of large files (bids) in parts")

TUS_VERSION = "1.0.0"
PART_TYPE = "application/offset+octet-stream"
UPLOAD_RULE = signed_in("tender:write")


def _me():
    return current_user._get_current_object()


def _tus_headers(response, upload) -> None:
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers["Upload-Offset"] = str(upload.offset)
    response.headers["Upload-Length"] = str(upload.length)
    response.headers["Cache-Control"] = "no-store"


@blp.route("")
class Uploads(MethodView):
    @access(UPLOAD_RULE)
    @idempotent
    @blp.arguments(UploadCreate)
    @blp.response(201, UploadOut)
    def post(self, data):
        """Open an upload; then send its bytes with PATCH. Accepts an Idempotency-Key."""
        client = ops.client_facts(request.remote_addr, request.user_agent.string, request.headers.get("X-Device-Id"))
        upload = ops.start_upload(_me(), data, client=client)
        return upload, 201, {"Location": url_for("uploads_api.OneUpload", upload_id=upload.id),
                             "Tus-Resumable": TUS_VERSION}


@blp.route("/<upload_id>")
class OneUpload(MethodView):
    @access(UPLOAD_RULE)
    @blp.response(200, UploadOut)
    def get(self, upload_id: str):
        """The upload's state, and the purpose's answer once the last byte arrived."""
        return ops.upload_of(_me(), upload_id)

    @access(UPLOAD_RULE)
    @blp.response(204)
    def head(self, upload_id: str):
        """How many bytes the server holds (Upload-Offset): where to resume after a broken connection."""
        response = current_app.response_class(status=204)
        _tus_headers(response, ops.upload_of(_me(), upload_id))
        return response

    @access(UPLOAD_RULE)
    @body_limit(lambda: current_app.config["UPLOAD_PART_MAX_BYTES"] + 64 * 1024)
    @blp.response(200, UploadOut)
    @blp.alt_response(204, description="The part is stored; send the next one from Upload-Offset.")
    def patch(self, upload_id: str):
        """Send bytes at Upload-Offset (Content-Type application/offset+octet-stream, at most
        UPLOAD_PART_MAX_BYTES each). The part that brings the last byte answers 200 with the result."""
        upload = ops.upload_of(_me(), upload_id)
        if request.mimetype != PART_TYPE:
            raise ops.UploadRefused(f"Send the part as {PART_TYPE}.", code="part_type")
        try:
            offset = int(request.headers.get("Upload-Offset", ""))
        except ValueError:
            raise ops.UploadRefused("Give the part's Upload-Offset.", code="offset_missing") from None
        try:
            ops.append_part(upload, offset, request.stream, actor=_me())
        except ops.UploadOver as refused:
            db.session.rollback()  # nothing of the refused file is kept
            ops.refuse_upload(upload_id, refused.refusal.message)
            raise refused.refusal from None
        if upload.complete:
            return upload
        response = current_app.response_class(status=204)
        _tus_headers(response, upload)
        return response

    @access(UPLOAD_RULE)
    @blp.response(204)
    def delete(self, upload_id: str):
        """Abandon an unfinished upload (tus termination)."""
        ops.cancel_upload(ops.upload_of(_me(), upload_id), actor=_me())
        return ""
