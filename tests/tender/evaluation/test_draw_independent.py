"""The draw recomputed from docs/panel-draw.md alone.

The implementation below is written from the document's text, and imports nothing of the platform's
draw code: it checks the worked example printed in the document, the document's own sample script,
and a real draw read from the public JSON record.
"""

from __future__ import annotations

import decimal
import hashlib
import hmac
import json
import re
import unicodedata
from datetime import timedelta
from pathlib import Path

DOC = (Path(__file__).resolve().parents[3] / "docs" / "panel-draw.md").read_text(encoding="utf-8")


def recompute(candidates: list[dict], seed: bytes, witness: str, members: int, reserves: int):
    """Steps 1 to 6 of the document."""
    witness_bytes = unicodedata.normalize("NFC", witness).strip().encode("utf-8")
    key = hashlib.sha256(b"panel-draw/v1 key" + b"\x00" + seed + witness_bytes).digest()
    context = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN)
    keyed = []
    for candidate in candidates:
        digest = hmac.new(key, candidate["pseudonym"].encode("ascii"), hashlib.sha256).digest()
        big_u = int.from_bytes(digest[:8], "big")
        u = context.divide(decimal.Decimal(2 * big_u + 1), decimal.Decimal(2 ** 65))
        w = context.divide(decimal.Decimal(candidate["weight"]), decimal.Decimal(1000))
        keyed.append((context.divide(context.ln(u), w), candidate["pseudonym"], big_u))
    keyed.sort(key=lambda k: (-k[0], k[1]))
    order = [k[1] for k in keyed]
    return order[:members], order[members:members + reserves], keyed


def worked_example():
    seed = bytes(range(32))
    witness = re.search(r"Witness: `([^`]+)`", DOC).group(1)
    candidates = json.loads(re.search(r"```json\n(\[.*?\])\n```", DOC, re.S).group(1))
    rows = re.findall(r"^\| (\d+) \| `([0-9a-f]{16})` \| (\d+) \| (\d+) \| (-[0-9.]+) \| ([^|]+) \|$", DOC, re.M)
    commitment = re.search(r"- commitment: `([0-9a-f]{64})`", DOC).group(1)
    return seed, witness, candidates, rows, commitment


def test_the_worked_example_in_the_document_recomputes():
    seed, witness, candidates, rows, commitment = worked_example()
    assert hashlib.sha256(b"panel-draw/v1 commitment\x00" + seed).hexdigest() == commitment
    members, reserves, keyed = recompute(candidates, seed, witness, 5, 2)
    assert len(rows) == len(candidates) == 9
    assert [(p, int(u)) for _n, p, _w, u, _k, _s in rows] == [(p, u) for _k, p, u in keyed]
    assert all(str(k).startswith(printed) for (k, _p, _u), (_n, _p2, _w, _u2, printed, _s) in zip(keyed, rows))
    assert members == [r[1] for r in rows if r[5].strip() == "member"]
    assert reserves == [r[1] for r in rows if r[5].startswith("reserve")]


def doc_script():
    code = re.search(r"## Checking a draw yourself\n\n```python\n(.*?)```", DOC, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/panel-draw.md", "exec"), namespace)  # the document's own sample
    return namespace["panel"]


def test_a_real_draw_recomputes_from_its_public_record(client, now, make_expert, make_org, make_draft_tender):
    from core.accounts.models import OrgKind
    from core.extensions import db
    from tender.evaluation.conflicts import DrawParties
    from tender.evaluation.operations import DrawRequest, PanelSpec, perform_draw, prepare_draw, record_expert_conduct

    experts = [make_expert() for _ in range(12)]
    for expert in experts[:4]:
        record_expert_conduct(expert, {"kind": "late_locking", "occurred_on": now.date() - timedelta(days=30),
                                       "note": "late"}, actor=None)
    parties = DrawParties(make_org(OrgKind.DEVELOPER).id, None, (make_org().id, make_org().id, make_org().id))
    draw = prepare_draw(DrawRequest(make_draft_tender().id, parties, PanelSpec(7, 3), ("residential",), "310104",
                                    now + timedelta(hours=3), now - timedelta(hours=1)), actor=None)
    db.session.commit()
    published = client.get(f"/evaluation/draws/{draw.id}.json").get_json()
    assert "seed" not in published
    perform_draw(draw, {"witness": "  2027-03-15 09:00 市房管局 见证人 \n"}, actor=None)
    db.session.commit()
    record = client.get(f"/evaluation/draws/{draw.id}.json").get_json()
    assert record["publication"] == published["publication"]
    raw = json.dumps(record["publication"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert hashlib.sha256(raw.encode("utf-8")).hexdigest() == record["publication_sha256"]
    pub = record["publication"]
    members, reserves, _keyed = recompute(pub["candidates"], bytes.fromhex(record["seed"]), record["witness"],
                                          pub["members"], pub["reserves"])
    assert (members, reserves) == (record["members"], record["reserves"])
    assert doc_script()(record) == (record["members"], record["reserves"])
    assert {c["weight"] for c in pub["candidates"]} == {900, 1000}
