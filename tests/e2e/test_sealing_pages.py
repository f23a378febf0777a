"""From a fresh start, in Chromium against the running app: a custodian makes a key in the browser
and two more are made with the command-line tool; a firm seals a bid in the browser and another is
sealed offline; both open with k shares and not with k-1; receipts verify in Python, in the
browser and in the CLI; a plain-HTTP LAN address is detected and explained."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server

from core.accounts.models import OrgKind
from tender.sealing import NotEnoughShares, inspect, keyfile, open_envelope, receipts, unwrap_share
from tender.sealing.cli import seal_cli
from tests.e2e import journeys

PASS_A, PASS_B, PASS_C = "browser custodian pass", "cli custodian pass b", "cli custodian pass c"
DEADLINE = (datetime.now(timezone.utc) - timedelta(minutes=5)).replace(microsecond=0)


@pytest.fixture(scope="module")
def lan_server(app):
    """The app on every interface, to reach it by a LAN address over plain HTTP."""
    srv = make_server("0.0.0.0", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_port
    srv.shutdown()


def sign_in(browser, base, user):
    """A new browser context signed in as ``user``."""
    page = browser.new_context(accept_downloads=True).new_page()
    journeys.sign_in(page, base, user)
    return page


def wait_result(page):
    page.wait_for_selector("#result.notice-success, #result.notice-error", timeout=120_000)
    return page.inner_text("#result"), page.get_attribute("#result", "class")


def test_done_when(app, app_ctx, live_server, browser, make_user, tmp_path):
    base = live_server

    # Custodian A creates a key in the browser, from their account's key page.
    a = make_user(kind=OrgKind.DEVELOPER, totp=True)
    page = sign_in(browser, base, a)
    page.goto(base + "/sealing/custodian-key")
    page.fill("#key-label", "office")
    page.fill("#passphrase", PASS_A)
    page.fill("#passphrase2", PASS_A)
    with page.expect_download(timeout=120_000) as download:
        page.click("#create-key-form button")
    key_a_path = tmp_path / "a.json"
    download.value.save_as(key_a_path)
    text, cls = wait_result(page)
    assert "notice-success" in cls, text
    key_a = json.loads(key_a_path.read_text())
    assert key_a["kdf"]["N"] == 2**17 and key_a["key_id"] in text

    # The "check my key file" page: the right passphrase works, a wrong one says so.
    page.goto(base + "/sealing/check-key")
    page.set_input_files("#check-file", str(key_a_path))
    page.fill("#check-passphrase", "not the passphrase")
    page.click("#check-key-form button")
    text, cls = wait_result(page)
    assert "notice-error" in cls and ("passphrase is wrong" in text or "口令" in text)
    page.fill("#check-passphrase", PASS_A)
    page.click("#check-key-form button")
    page.wait_for_selector("#result.notice-success", timeout=120_000)

    # Custodians B and C make keys with the command-line tool and register them in the browser.
    runner = CliRunner()
    keys = {}
    for name, passphrase in (("b", PASS_B), ("c", PASS_C)):
        out = tmp_path / f"{name}.json"
        r = runner.invoke(seal_cli, ["keygen", "--out", str(out), "--scrypt-log-n", "14"],
                          env={"SEAL_PASSPHRASE": passphrase})
        assert r.exit_code == 0, r.output
        user = make_user(kind=OrgKind.AGENCY, totp=True)
        p = sign_in(browser, base, user)
        p.goto(base + "/sealing/custodian-key")
        p.set_input_files("#import-file", str(out))
        p.fill("#import-passphrase", passphrase)
        p.click("#import-key-form button")
        text, cls = wait_result(p)
        assert "notice-success" in cls, text
        keys[name] = json.loads(out.read_text())
        # The check through the command-line tool: the page hands out a test share, the tool
        # unwraps it on the custodian's machine, the answer goes back through the page.
        p.goto(base + "/sealing/check-key")
        with p.expect_download() as download:
            p.click("#download-check")
        check_path = tmp_path / f"check-{name}.json"
        download.value.save_as(check_path)
        r = runner.invoke(seal_cli, ["check-key", "--key-file", str(out), "--challenge", str(check_path)],
                          env={"SEAL_PASSPHRASE": passphrase})
        assert r.exit_code == 0, r.output
        p.fill("#cli-answer", json.loads(r.output)["answer"])
        p.click("#cli-answer-form button")
        text, cls = wait_result(p)
        assert "notice-success" in cls, text
        p.context.close()

    custodians = {"tender_id": "T-2026-042", "deadline": DEADLINE.isoformat(), "threshold": 2,
                  "custodians": [{"key_id": k["key_id"], "public_key": k["public_key"]}
                                 for k in (key_a, keys["b"], keys["c"])]}
    (tmp_path / "custodians.json").write_text(json.dumps(custodians))

    # A firm seals a bid in the browser.
    firm = make_user(kind=OrgKind.FIRM)
    fp = sign_in(browser, base, firm)
    fp.goto(base + "/sealing/seal")
    (tmp_path / "technical.pdf").write_bytes(b"%PDF-1.7 " + b"MARKER-TECH" * 20_000)
    (tmp_path / "staff.csv").write_bytes("姓名,岗位\n张三,项目经理\n".encode())
    fp.set_input_files("#custodians-file", str(tmp_path / "custodians.json"))
    fp.fill("#bid-id", "B-web-1")
    fp.fill("#fee", "2.7531")
    fp.fill("#price-notes", "MARKER-PRICE-NOTE")
    fp.set_input_files("#documents", [str(tmp_path / "technical.pdf"), str(tmp_path / "staff.csv")])
    # Each file gets its own labelled choice of part; sealing waits until every one is chosen.
    assert fp.inner_text("label[for=document-part-0]") == "technical.pdf"
    assert fp.inner_text("label[for=document-part-1]") == "staff.csv"
    fp.select_option("#document-part-0", "technical")
    fp.click("#seal-form button")
    fp.wait_for_selector("#result.notice-error")
    assert fp.inner_text("#result") == fp.get_attribute("#sealing-messages", "data-choose-part")
    assert fp.evaluate("document.activeElement.id") == "document-part-1" and fp.is_hidden("#envelope-download")
    fp.select_option("#document-part-1", "qualification")
    fp.evaluate("document.getElementById('result').className = ''")  # wait for this attempt's answer
    fp.click("#seal-form button")
    text, cls = wait_result(fp)
    assert "notice-success" in cls, text
    assert fp.inner_text("#seal-progress-text") == "100%"
    with fp.expect_download() as download:
        fp.click("#envelope-download")
    web_env = tmp_path / "web.tseal"
    download.value.save_as(web_env)
    assert fp.get_attribute("#sealing-page", "data-envelope-sha256") in text

    # Another bid is sealed offline with the command-line tool.
    (tmp_path / "price.json").write_text('{"fee_yuan_per_m2_month": "2.60"}')
    r = runner.invoke(seal_cli, ["seal", "--custodians-file", str(tmp_path / "custodians.json"), "--bid", "B-cli-1",
                                 "--price-sheet", str(tmp_path / "price.json"), "--business",
                                 str(tmp_path / "staff.csv"), "--out", str(tmp_path / "cli.tseal")])
    assert r.exit_code == 0, r.output
    cli_env = tmp_path / "cli.tseal"

    # The CLI-made envelope inspects in the browser (public page, no keys).
    fp.goto(base + "/sealing/inspect")
    fp.set_input_files("#envelope-file", str(cli_env))
    fp.click("#inspect-form button")
    wait_result(fp)
    shown = json.loads(fp.inner_text("#inspect-output"))
    assert shown["bid_id"] == "B-cli-1" and shown["threshold"] == 2 and len(shown["custodians"]) == 3

    # Both open with k = 2 shares (unwrapped on the custodians' side) and fail with k - 1.
    private = {
        "a": keyfile.unlock_key_file(key_a, PASS_A),
        "b": keyfile.unlock_key_file(keys["b"], PASS_B),
        "c": keyfile.unlock_key_file(keys["c"], PASS_C),
    }
    parts = {"B-web-1": [("technical.pdf", "technical"), ("staff.csv", "qualification")],
             "B-cli-1": [("staff.csv", "business")]}
    for env_path, bid, price in ((web_env, "B-web-1", b'"2.7531"'), (cli_env, "B-cli-1", b'"2.60"')):
        data = env_path.read_bytes()
        for marker in (b"MARKER-TECH", b"MARKER-PRICE-NOTE", "张三".encode()):
            assert marker not in data
        header = inspect(io.BytesIO(data))
        shares = {n: unwrap_share(header, k) for n, k in private.items()}
        binding = {"tender_id": "T-2026-042", "bid_id": bid, "bid_version": 1}
        opened = open_envelope(io.BytesIO(data), [shares["a"], shares["c"]], **binding)
        assert price in opened.price_sheet()
        assert [(e.name, e.part) for e in opened.manifest()] == parts[bid]
        opened.verify()
        with pytest.raises(NotEnoughShares):
            open_envelope(io.BytesIO(data), [shares["b"]], **binding)

    # Receipts: issued by the platform, verified in Python, in the browser and in the CLI.
    from core.extensions import db
    from tender.sealing import envelope as env_mod
    from tender.sealing import operations as ops

    issued = []
    for env_path, bid in ((web_env, "B-web-1"), (cli_env, "B-cli-1")):
        with env_path.open("rb") as fh:
            issued.append(ops.issue_receipt("T-2026-042", f"firm-{firm.id}", bid, 1, env_mod.envelope_sha256(fh),
                                            actor=firm))
    db.session.commit()
    doc = ops.platform_key_document()
    receipts.verify_log(ops.receipt_log("T-2026-042"), receipts.key_set(doc), receipts=issued)
    (tmp_path / "receipt.json").write_text(json.dumps(issued[0]))
    (tmp_path / "platform-key.json").write_text(json.dumps(doc))
    (tmp_path / "log.json").write_text(json.dumps(ops.receipt_log("T-2026-042")))
    r = runner.invoke(seal_cli, ["verify-receipt", str(tmp_path / "receipt.json"), "--platform-key",
                                 str(tmp_path / "platform-key.json"), "--envelope", str(web_env),
                                 "--log", str(tmp_path / "log.json")])
    assert r.exit_code == 0 and '"log_entries": 2' in r.output, r.output
    fp.goto(base + "/sealing/receipt")
    fp.set_input_files("#receipt-file", str(tmp_path / "receipt.json"))
    fp.set_input_files("#receipt-envelope", str(web_env))
    fp.click("#receipt-form button")
    text, cls = wait_result(fp)
    assert "notice-success" in cls, text
    fp.set_input_files("#receipt-envelope", str(cli_env))  # the wrong envelope for this receipt
    fp.click("#receipt-form button")
    fp.wait_for_selector("#result.notice-error")

    # Nothing the server stored holds a marker from a price sheet or a document.
    import sqlalchemy as sa

    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            dump = repr(conn.execute(sa.select(table)).all())
            for marker in ("MARKER-TECH", "MARKER-PRICE-NOTE", "张三", "2.7531"):
                assert marker not in dump, (table.name, marker)


def _lan_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def test_plain_http_on_a_lan_address_is_explained(lan_server, browser):
    server = lan_server
    address = _lan_address()
    if address is None:
        pytest.skip("no non-loopback address on this machine")
    page = browser.new_page()
    page.goto(f"http://{address}:{server}/sealing/inspect")
    page.wait_for_selector("#insecure-context:not([hidden])")
    assert "https://" in page.inner_text("#insecure-context")
    assert page.is_disabled("#inspect-form button")
    page.goto(f"http://127.0.0.1:{server}/sealing/inspect")
    page.wait_for_selector("#sealing-page[data-ready='1']")
    assert page.is_hidden("#insecure-context")
    page.close()


def test_receipt_page_verifies_receipts_from_before_a_key_rotation(app, app_ctx, live_server, page, monkeypatch,
                                                                   tmp_path):
    from core.extensions import db
    from tender.sealing import operations as ops
    from tender.sealing import platform_keys

    monkeypatch.setitem(app.config, "PLATFORM_KEY_DIR", str(tmp_path / "keys"))
    old = ops.issue_receipt("T-2026-077", "firm-1", "B-1", 1, "ab" * 32, actor=None)
    db.session.commit()
    platform_keys.rotate(tmp_path / "keys")
    new = ops.issue_receipt("T-2026-077", "firm-2", "B-2", 1, "cd" * 32, actor=None)
    db.session.commit()
    page.goto(live_server + "/sealing/receipt")
    page.wait_for_selector("#sealing-page[data-ready='1']")
    for name, signed in (("old", old), ("new", new)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(signed))
        page.evaluate("document.getElementById('result').className = ''")
        page.set_input_files("#receipt-file", str(path))
        page.click("#receipt-form button")
        text, cls = wait_result(page)
        assert "notice-success" in cls, (name, text)
        shown = json.loads(page.inner_text("#receipt-output"))
        assert shown["key_id"] == json.loads(base64.b64decode(signed["payload"]))["key_id"]
    assert json.loads(base64.b64decode(old["payload"]))["key_id"] != shown["key_id"]


LABELS_ABOVE_INPUTS = """(form) => Array.from(document.querySelectorAll(form + ' label[for]')).map((label) => {
    const input = document.getElementById(label.htmlFor), l = label.getBoundingClientRect();
    const i = input.getBoundingClientRect();
    return {id: label.htmlFor, labelBottom: l.bottom, labelLeft: l.left, inputTop: i.top, inputLeft: i.left,
            inputBottom: i.bottom};
})"""


def assert_stacked(page, form: str) -> None:
    """Every label sits above its own input, and each field starts below the one before."""
    boxes = page.evaluate(LABELS_ABOVE_INPUTS, form)
    assert boxes, form
    for box in boxes:
        assert box["labelBottom"] <= box["inputTop"] + 0.5, box
        assert abs(box["labelLeft"] - box["inputLeft"]) <= 1, box
    for before, after in zip(boxes, boxes[1:]):
        assert before["inputBottom"] <= after["inputTop"], (before, after)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_sealing_forms_stack_labels_above_inputs(app, app_ctx, live_server, new_page, make_user, screenshot,
                                                 tmp_path, viewport):
    page = new_page(viewport)
    journeys.sign_in(page, live_server, make_user(kind=OrgKind.DEVELOPER))
    page.goto(f"{live_server}/sealing/custodian-key")
    page.wait_for_selector("#sealing-page[data-ready='1']")
    for form in ("#create-key-form", "#import-key-form"):
        assert_stacked(page, form)
    assert journeys.fits(page)
    screenshot(page, "sealing-custodian-key")
    for path, form in (("/sealing/inspect", "#inspect-form"), ("/sealing/receipt", "#receipt-form")):
        page.goto(live_server + path)
        page.wait_for_selector("#sealing-page[data-ready='1']")
        assert_stacked(page, form)
        assert journeys.fits(page)

    firm = new_page(viewport)
    journeys.sign_in(firm, live_server, make_user(kind=OrgKind.FIRM))
    firm.goto(f"{live_server}/sealing/seal")
    firm.wait_for_selector("#sealing-page[data-ready='1']")
    names = ("技术方案（第一册，含施工组织设计与人员配置）.pdf",
             "Qualification_certificate_of_the_property_service_enterprise_issued_by_the_district_bureau.pdf")
    for name in names:
        (tmp_path / name).write_bytes(b"%PDF")
    firm.set_input_files("#documents", [str(tmp_path / name) for name in names])
    firm.wait_for_selector("#document-part-1")
    assert_stacked(firm, "#seal-form")
    assert journeys.fits(firm)
    screenshot(firm, "sealing-seal")
