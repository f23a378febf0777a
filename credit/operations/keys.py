"""Moving stored national IDs to the newest data key (after ``flask keys create-data-key``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from core.audit.operations import record_event
from core.db import db
from credit import pii
from credit.models import ProjectManager


def reencrypt_ids(*, actor=None, batch: int = 500) -> int:
    """Re-encrypt every stored national ID not yet under the newest data key (and its lookup hash); returns
    how many moved. Old SECRET_KEY-derived ciphertexts are read once here and never written again."""
    moved = 0
    last_id = 0
    while True:
        managers = db.session.scalars(
            sa.select(ProjectManager).options(undefer(ProjectManager.national_id_enc))
            .where(ProjectManager.national_id_enc.is_not(None), ProjectManager.id > last_id)
            .order_by(ProjectManager.id).limit(batch)
        ).all()
        if not managers:
            break
        for manager in managers:
            last_id = manager.id
            if pii.is_current(manager.national_id_enc):
                continue
            number = pii.decrypt_id(manager.national_id_enc, manager.certificate_no)
            manager.national_id_enc = pii.encrypt_id(number, manager.certificate_no)
            manager.national_id_hmac = pii.id_lookup_hash(number)
            moved += 1
        db.session.flush()
    record_event("credit.national_ids_reencrypted", ("credit_project_manager", "*"), actor=actor, details={"moved": moved})
    return moved
