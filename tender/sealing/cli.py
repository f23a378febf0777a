"""Command-line tool for custodians and firms (离线密封与开标工具).

Works as ``flask seal ...`` inside the platform and, for firms and custodians who prepare bids or
unwrap shares on their own machine, standalone as ``python -m tender.sealing.cli ...`` with only
this package and ``cryptography`` and ``click`` installed. Passphrases are prompted for; scripts may
pass ``--passphrase-file`` or set ``SEAL_PASSPHRASE``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from tender.sealing import custodians, envelope, hpke, keyfile, platform_keys, receipts
from tender.sealing.encoding import b64decode
from tender.sealing.errors import InvalidInput, MalformedEnvelope, SealError
from tender.sealing.format import MIN_THRESHOLD, check_threshold


class _Group(click.Group):
    """Turn this module's errors into one plain line and exit status 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SealError as exc:
            click.echo(f"error ({exc.code}): {exc.message}", err=True)
            ctx.exit(2)


@click.group("seal", cls=_Group)
def seal_cli():
    """Seal bids, manage custodian keys, open envelopes and verify receipts."""


def _passphrase(passphrase_file, confirm=False) -> str:
    if passphrase_file:
        try:
            return Path(passphrase_file).read_bytes().decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            raise click.BadParameter("the file is not UTF-8 text.", param_hint="'--passphrase-file'") from None
    if os.environ.get("SEAL_PASSPHRASE"):
        return os.environ["SEAL_PASSPHRASE"]
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm)


def _unlock(key_file, passphrase_file):
    data = keyfile.parse_key_file(Path(key_file).read_bytes())
    return keyfile.unlock_key_file(data, _passphrase(passphrase_file))


def _out(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@seal_cli.command("keygen")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="Key file to create.")
@click.option("--label", default="", help="A name to recognise the key by.")
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@click.option("--scrypt-log-n", default=17, show_default=True, type=click.IntRange(14, 20))
def keygen(out_path, label, passphrase_file, scrypt_log_n):
    """Create a custodian key pair; print the public key to register on the platform."""
    if Path(out_path).exists():
        raise click.ClickException(f"{out_path} exists; choose another name so no key is overwritten.")
    data, _ = keyfile.create_key_file(_passphrase(passphrase_file, confirm=True), label=label, n=2**scrypt_log_n)
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
    _out({"key_file": out_path, "key_id": data["key_id"], "public_key": data["public_key"]})


@seal_cli.command("check-key")
@click.option("--key-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@click.option("--challenge", type=click.Path(exists=True, dir_okay=False), help="Key check from the platform.")
def check_key(key_file, passphrase_file, challenge):
    """Unlock a key file and unwrap a test share (the platform's, or a local one)."""
    key = _unlock(key_file, passphrase_file)
    public = hpke.public_bytes(key.public_key())
    if challenge:
        check = keyfile.parse_key_check(Path(challenge).read_bytes())
        answer = keyfile.answer_key_check(check, key)
    else:
        local = os.urandom(32)
        check = keyfile.make_key_check(local, public, "local-self-test")
        answer = keyfile.answer_key_check(check, key)
        assert keyfile.verify_key_check_answer(local, public, "local-self-test", answer)
    _out({"ok": True, "key_id": hpke.key_id(public).hex(), "answer": answer if challenge else None})


def _custodian_list(custodians_file) -> custodians.CustodianList | None:
    if not custodians_file:
        return None
    try:
        return custodians.parse(Path(custodians_file).read_bytes())
    except InvalidInput as exc:
        raise click.BadParameter(exc.message, param_hint="'--custodians-file'") from None


def _custodian_key(item: str) -> bytes:
    """A --custodian value: a public key in base64, a file holding one, or a custodian key file."""
    path = Path(item)
    if path.is_file():
        if path.suffix == ".json":
            return keyfile.public_key_of(keyfile.parse_key_file(path.read_bytes()))
        item = path.read_bytes().decode("ascii", "replace").strip()
    try:
        return b64decode(item, 32)
    except ValueError:
        raise click.BadParameter(f"{item!r} is neither a public key (32 bytes in base64) nor a key file.",
                                 param_hint="'--custodian'") from None


def _deadline(text: str) -> int:
    try:
        return custodians.parse_deadline(text)
    except InvalidInput as exc:
        raise click.BadParameter(exc.message, param_hint="'--deadline'") from None


def _threshold(value, count: int, *, from_file: bool) -> int:
    """Check k of n before anything is written: k >= 2, so no single custodian can open alone."""
    hint = "'--custodians-file' (its threshold)" if from_file else "'--threshold'"
    if isinstance(value, bool) or not isinstance(value, int):
        raise click.BadParameter(f"the threshold must be a whole number, not {value!r}.", param_hint=hint)
    try:
        return check_threshold(value, count)
    except InvalidInput as exc:
        raise click.BadParameter(exc.message, param_hint=hint) from None


@seal_cli.command("seal")
@click.option("--tender", "tender_id")
@click.option("--bid", "bid_id", required=True)
@click.option("--bid-version", default=1, show_default=True, type=int)
@click.option("--deadline", help="Like 2026-12-01T10:00:00+08:00 (whole seconds, with the offset); taken from "
                                 "--custodians-file if absent.")
@click.option("--custodians-file", type=click.Path(exists=True, dir_okay=False),
              help="The tender's custodian list as published by the platform.")
@click.option("--custodian", "custodian_keys", multiple=True, help="A public key (base64) or public key file.")
@click.option("--threshold", type=int,
              help=f"How many custodians must act together to open (at least {MIN_THRESHOLD}); "
                   "taken from --custodians-file if absent.")
@click.option("--price-sheet", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--technical", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A document of the technical part (scored without the bidder's name); repeat for more.")
@click.option("--business", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A document of the business part; repeat for more.")
@click.option("--qualification", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A document of the qualification part; repeat for more.")
@click.option("--document", "unlabelled", multiple=True, hidden=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
def seal_command(tender_id, bid_id, bid_version, deadline, custodians_file, custodian_keys, threshold,
                 price_sheet, technical, business, qualification, unlabelled, out_path):
    """Seal a price sheet and documents into one envelope, offline.

    Documents are sealed in this order: the technical ones, then business, then qualification,
    each in the order given.
    """
    if unlabelled:
        raise click.UsageError("say which part of the bid each document belongs to: give it with --technical, "
                               "--business or --qualification instead of --document")
    listing = _custodian_list(custodians_file)
    keys = (listing.public_keys if listing else []) + [_custodian_key(item) for item in custodian_keys]
    tender_id = tender_id or (listing and listing.tender_id)
    deadline = _deadline(deadline) if deadline else (listing and listing.deadline)
    from_file = threshold is None
    threshold = listing.threshold if from_file and listing else threshold
    if not (tender_id and deadline is not None and threshold is not None):
        raise click.UsageError("give --tender, --deadline and --threshold, or a --custodians-file that has them")
    threshold = _threshold(threshold, len(keys), from_file=from_file)
    docs = [envelope.Document.from_path(path, part=part)
            for part, paths in (("technical", technical), ("business", business), ("qualification", qualification))
            for path in paths]
    partial = Path(out_path + ".partial")
    try:
        with partial.open("wb") as out:
            header = envelope.seal(
                out, tender_id=tender_id, bid_id=bid_id, bid_version=bid_version, deadline=deadline,
                custodian_keys=keys, threshold=threshold, price_sheet=Path(price_sheet).read_bytes(),
                documents=docs,
            )
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        partial.unlink(missing_ok=True)  # a refused or failed seal leaves no half-written envelope
        raise
    finally:
        for d in docs:
            d.stream.close()
    partial.replace(out_path)
    with open(out_path, "rb") as fh:
        digest = envelope.envelope_sha256(fh)
    _out({"envelope": out_path, "envelope_sha256": digest, **header.describe()})


@seal_cli.command("inspect")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def inspect_command(path):
    """Show an envelope's header; needs no key."""
    with open(path, "rb") as fh:
        header = envelope.check_structure(fh)
        _out({**header.describe(), "envelope_sha256": envelope.envelope_sha256(fh)})


@seal_cli.command("unwrap")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--key-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
def unwrap_command(path, key_file, passphrase_file):
    """A custodian's step at the opening: unwrap this key's share, only after the deadline."""
    with open(path, "rb") as fh:
        header = envelope.inspect(fh)
    share = envelope.unwrap_share(header, _unlock(key_file, passphrase_file))
    _out({"tender_id": header.tender_id, "bid_id": header.bid_id, "bid_version": header.bid_version,
          "share": share.encode()})


@seal_cli.command("unwrap-shares")
@click.option("--envelopes", "envelopes_file", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The envelopes' headers, downloaded from the opening page (envelopes.json).")
@click.option("--key-file", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The shares file to upload on the opening page.")
def unwrap_shares_command(envelopes_file, key_file, passphrase_file, out_path):
    """A custodian's step at the opening, for every bid at once: unwrap this key's share of each envelope
    listed in envelopes.json (only after its deadline) and write the shares file; the key never leaves here."""
    import base64
    import io

    try:
        listing = json.loads(Path(envelopes_file).read_bytes())
        items = listing["envelopes"]
        tender_id = listing["tender"]
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("This is not the envelopes.json of an opening page.") from None
    key = _unlock(key_file, passphrase_file)
    shares, failures = {}, {}
    for item in items:
        vid = str(item.get("version_id"))
        try:
            if not item.get("header"):
                raise MalformedEnvelope("The platform could not read this envelope.")
            header = envelope.inspect(io.BytesIO(base64.b64decode(item["header"])))
            envelope.check_binding(header, tender_id, item.get("bid"), item.get("bid_version"))
            shares[vid] = envelope.unwrap_share(header, key).encode()
        except SealError as exc:
            failures[vid] = exc.code
            click.echo(f"bid {item.get('bid')}: {exc.code}: {exc.message}", err=True)
        except ValueError:
            failures[vid] = MalformedEnvelope.code
    Path(out_path).write_text(json.dumps({"shares": shares, "failures": failures, "via": "cli"}, indent=2))
    click.echo(f"{len(shares)} shares and {len(failures)} failures written to {out_path}; upload it on the opening page.")


def _shares(shares, shares_file):
    texts = list(shares)
    if shares_file:
        # One share per line (blank lines skipped); read as ASCII so a binary file is just a bad share.
        lines = Path(shares_file).read_bytes().decode("ascii", "replace").splitlines()
        texts += [line for line in lines if line.strip()]
    return [envelope.KeyShare.decode(t) for t in texts]


@seal_cli.command("open")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--share", "shares", multiple=True, help="An unwrapped share (66 hex characters).")
@click.option("--shares-file", type=click.Path(exists=True, dir_okay=False), help="One share per line.")
@click.option("--tender", "tender_id", required=True, help="The tender the envelope must be sealed for.")
@click.option("--bid", "bid_id", required=True, help="The bid it must be sealed for.")
@click.option("--version", "bid_version", required=True, type=click.IntRange(1, 2**32 - 1),
              help="The bid version it must be sealed for.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False),
              help="A new folder to write the contents to, once all of them have verified.")
def open_command(path, shares, shares_file, tender_id, bid_id, bid_version, out_dir):
    """Open an envelope with k shares; verify everything, and extract it if --out is given."""
    with open(path, "rb") as fh:
        # extract() and verify() read everything before anything is kept, so one pass is enough.
        opened = envelope.open_envelope(fh, _shares(shares, shares_file), tender_id=tender_id, bid_id=bid_id,
                                        bid_version=bid_version, verify_first=False)
        try:
            result = opened.extract(out_dir) if out_dir else opened.verify()
            result["documents_in_manifest"] = [{"name": e.name, "size": e.size, "part": e.part}
                                               for e in opened.manifest()]
        finally:
            opened.forget()
    _out({"ok": True, **result})


@seal_cli.command("verify-receipt")
@click.argument("receipt_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--platform-key", required=True,
              help="The platform's published key set (a file saved from /.well-known/tender-seal-receipt-key) "
                   "or one base64 key.")
@click.option("--envelope", "envelope_path", type=click.Path(exists=True, dir_okay=False))
@click.option("--log", "log_path", type=click.Path(exists=True, dir_okay=False), help="The tender's receipt log.")
@click.option("--checkpoint", type=click.Path(exists=True, dir_okay=False), help="The signed list at the deadline.")
def verify_receipt_command(receipt_path, platform_key, envelope_path, log_path, checkpoint):
    """Check a receipt's signature, that it names this envelope, and that the log holds it."""
    published = _json_file(platform_key, "--platform-key") if Path(platform_key).is_file() else platform_key
    keys = receipts.key_set(published)
    receipt = _json_file(receipt_path, "RECEIPT_PATH")
    digest = None
    if envelope_path:
        with open(envelope_path, "rb") as fh:
            digest = envelope.envelope_sha256(fh)
    payload = receipts.verify_receipt(receipt, keys, envelope_sha256=digest)
    result = {"ok": True, "receipt": payload}
    if log_path:
        log = _json_file(log_path, "--log")
        point = _json_file(checkpoint, "--checkpoint") if checkpoint else None
        entries = receipts.verify_log(log, keys, tender_id=payload["tender"], checkpoint=point, receipts=[receipt])
        result["log_entries"] = len(entries)
    _out(result)


def _json_file(path, hint: str):
    try:
        return json.loads(Path(path).read_bytes())
    except (ValueError, UnicodeDecodeError):
        raise click.BadParameter("the file is not UTF-8 JSON.", param_hint=f"'{hint}'") from None


def _key_dir(key_dir):
    if key_dir:
        return key_dir
    from flask import current_app

    if not current_app:
        raise click.UsageError("give --key-dir (outside the platform there is no PLATFORM_KEY_DIR to use)")
    return current_app.config["PLATFORM_KEY_DIR"]


_KEY_DIR = click.option("--key-dir", type=click.Path(file_okay=False),
                        help="The key folder; PLATFORM_KEY_DIR of the platform if absent.")


@seal_cli.group("platform-key", cls=_Group, invoke_without_command=True)
@click.pass_context
def platform_key_group(ctx):
    """The platform's receipt-signing keys; without a subcommand, print the published key set."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(platform_key_show)


@platform_key_group.command("show")
@_KEY_DIR
def platform_key_show(key_dir=None):
    """Print every receipt-signing public key ever used, as the platform publishes them."""
    if key_dir:
        _out(platform_keys.load(key_dir).document())
        return
    from tender.sealing import operations

    _key_dir(None)
    _out(operations.platform_key_document())


@platform_key_group.command("create")
@_KEY_DIR
def platform_key_create(key_dir):
    """Make the receipt-signing key, once, before the platform first starts in production."""
    _out(platform_keys.create(_key_dir(key_dir)).document())


@platform_key_group.command("rotate")
@_KEY_DIR
def platform_key_rotate(key_dir):
    """Sign with a new key from now on; the old one stays published, so its receipts still verify."""
    _out(platform_keys.rotate(_key_dir(key_dir)).document())


if __name__ == "__main__":
    seal_cli(prog_name="python -m tender.sealing.cli")
    sys.exit(0)
