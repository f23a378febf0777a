"""In the browser: sealing refuses a threshold below 2 (a single custodian could open alone), the
header parser refuses such an envelope, and the seal page says so in the user's language."""

from __future__ import annotations

import io
import json

import pytest

from core.accounts.models import OrgKind
from tests.e2e.journeys import sign_in
from tests.tender.sealing.browser_harness import b64, js, static_server  # noqa: F401
from tests.tender.sealing.helpers import custodians, make_envelope, public_keys
from tests.tender.sealing.test_threshold import _with_threshold_byte

SEAL = """async ([pks, k]) => {
    try {
        await E.sealEnvelope({tenderId: 'T-1', bidId: 'B-1', deadline: 1767225600, custodians: pks.map(P.unb64),
            threshold: k, priceSheet: P.ascii('{}')});
        return 'sealed';
    } catch (e) { return e.code + ': ' + e.message; }
}"""


@pytest.mark.parametrize("k,n,words", [(1, 3, "at least 2"), (0, 3, "at least 2"), (1, 1, "2 to 32 custodians"),
                                       (4, 3, "more than the 3"), ("2", 3, "whole number")])
def test_browser_sealing_refuses(js, k, n, words):
    pks = [b64(pk) for pk in public_keys(custodians(n))]
    got = js.evaluate(SEAL, [pks, k])
    assert got.startswith("invalid_threshold: ") and words in got, got


def test_browser_sealing_with_two_still_works(js):
    pks = [b64(pk) for pk in public_keys(custodians(2))]
    assert js.evaluate(SEAL, [pks, 2]) == "sealed"


def test_browser_shamir_refuses_one(js):
    got = js.evaluate("""() => { try { P.shamirSplit(new Uint8Array(32), 1, 3); return 'split'; }
        catch (e) { return e.message; } }""")
    assert "2 <= threshold" in got


def test_browser_parser_refuses_k_below_two(js):
    env = make_envelope(custodians(3), threshold=2)
    for k in (0, 1):
        got = js.evaluate("""(data) => { try { E.parseHeader(P.unb64(data)); return 'parsed'; }
            catch (e) { return e.code + ': ' + e.message; } }""", b64(_with_threshold_byte(env, k)[:4096]))
        assert got.startswith("malformed_envelope: The threshold"), got


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_seal_page_explains_a_single_custodian_list(app, app_ctx, live_server, new_page, make_user, tmp_path,
                                                    viewport):
    firm = make_user(kind=OrgKind.FIRM)
    page = new_page(viewport)
    sign_in(page, live_server, firm)
    page.goto(f"{live_server}/sealing/seal")
    page.wait_for_selector("#sealing-page[data-ready='1']")
    from tender.sealing import custodians as custodian_list

    listing = custodian_list.encode("T-2026-001", 1767225600, 1, public_keys(custodians(3)))
    (tmp_path / "custodians.json").write_text(json.dumps(listing))
    page.set_input_files("#custodians-file", str(tmp_path / "custodians.json"))
    page.fill("#bid-id", "B-1")
    page.fill("#fee", "2.50")
    page.click("#seal-form button")
    page.wait_for_selector("#result.notice-error")
    expected = page.get_attribute("#sealing-messages", "data-bad-threshold")
    assert page.inner_text("#result") == expected and "2" in expected
    assert page.is_hidden("#envelope-download")
