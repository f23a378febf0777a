"""Sealing and opening throughput and memory, against a bare pipeline measured in the same run.

The bare pipeline does only what sealing cannot avoid: read the bytes, SHA-256 them, AES-256-GCM
them in 64 KiB chunks with ``cryptography``, write the output and fsync it. Figures printed:

* 1 GiB to disk: seal and open throughput, each as a share of the bare pipeline's (goal >= 75%)
* the same from memory to a discarding sink (goal >= 70%)
* peak RSS of a child process that seals, and one that opens, a 1 GiB envelope (goal <= 128 MiB)
* 50 envelopes x 20 MiB opened with their shares vs the bare pipeline on the same bytes (<= 1.5x)

    .venv/bin/python bench/sealing_throughput.py [--size-mib 1024] [--dir /tmp]

Large files go to a temporary directory (never the repository) and are deleted at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from tender.sealing import Document, hpke, inspect, open_envelope, seal, unwrap_share  # noqa: E402

CHUNK = 64 * 1024
MIB = 1024 * 1024


class MemReader:
    """Reads a buffer without copying (returns views)."""

    def __init__(self, buffer):
        self.view, self.pos = memoryview(buffer), 0

    def read(self, n=-1):
        end = len(self.view) if n < 0 else min(len(self.view), self.pos + n)
        piece, self.pos = self.view[self.pos:end], end
        return piece

    def seek(self, offset, whence=0):
        self.pos = offset if whence == 0 else len(self.view) + offset if whence == 2 else self.pos + offset
        return self.pos


class Sink:
    def write(self, data):
        return len(data)


def make_input(path: Path, size: int) -> None:
    block = os.urandom(16 * MIB)
    with path.open("wb") as fh:
        left = size
        while left:
            fh.write(block[: min(left, len(block))])
            left -= min(left, len(block))


def bare_file(src: Path, dst: Path) -> float:
    dst.unlink(missing_ok=True)  # every timed run writes a new file (no truncation of an old one)
    t = time.perf_counter()
    aead, digest = AESGCM(os.urandom(32)), hashlib.sha256()
    with src.open("rb") as fin, dst.open("wb") as fout:
        counter = 0
        while chunk := fin.read(CHUNK):
            digest.update(chunk)
            fout.write(aead.encrypt(counter.to_bytes(12, "big"), chunk, None))
            counter += 1
        fout.flush()
        os.fsync(fout.fileno())
    digest.hexdigest()
    return time.perf_counter() - t


def bare_memory(buffer) -> float:
    t = time.perf_counter()
    aead, digest, view, sink = AESGCM(os.urandom(32)), hashlib.sha256(), memoryview(buffer), Sink()
    for counter, at in enumerate(range(0, len(view), CHUNK)):
        chunk = view[at : at + CHUNK]
        digest.update(chunk)
        sink.write(aead.encrypt(counter.to_bytes(12, "big"), chunk, None))
    digest.hexdigest()
    return time.perf_counter() - t


def custodians(n=3):
    keys = [X25519PrivateKey.generate() for _ in range(n)]
    return keys, [hpke.public_bytes(k.public_key()) for k in keys]


BINDING = {"tender_id": "T-bench", "bid_id": "B-1", "bid_version": 1}


def seal_to(out, doc: Document, pks) -> None:
    seal(out, **BINDING, deadline=0, custodian_keys=pks, threshold=2,
         price_sheet=b'{"fee": "2.80"}', documents=[doc])


def seal_file(src: Path, dst: Path, pks) -> float:
    dst.unlink(missing_ok=True)
    t = time.perf_counter()
    with dst.open("wb") as out:
        doc = Document.from_path(src, "payload.bin", part="technical")
        seal_to(out, doc, pks)
        doc.stream.close()
        out.flush()
        os.fsync(out.fileno())
    return time.perf_counter() - t


def shares_of(path_or_bytes, keys):
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes.open("rb")
    with source:
        header = inspect(source)
    return [unwrap_share(header, k) for k in keys[:2]]


def open_file(env: Path, out_dir: Path, shares) -> float:
    t = time.perf_counter()
    with env.open("rb") as fh:
        opened = open_envelope(fh, shares, **BINDING, verify_first=False)  # extract() verifies all first
        opened.extract(out_dir)
        opened.forget()
    return time.perf_counter() - t


def child(mode: str, a: str, b: str) -> None:
    """Run one operation in a fresh process so its peak RSS can be read by the parent."""
    keys = [X25519PrivateKey.from_private_bytes(bytes.fromhex(h)) for h in os.environ["BENCH_KEYS"].split(",")]
    pks = [hpke.public_bytes(k.public_key()) for k in keys]
    if mode == "seal":
        seal_file(Path(a), Path(b), pks)
    else:
        open_file(Path(a), Path(b), shares_of(Path(a), keys))
    # VmHWM is the peak RSS of this process image only (ru_maxrss would include the parent's
    # pages at the moment of the fork).
    status = Path("/proc/self/status").read_text()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def peak_rss_mib(mode, a, b, keys) -> float:
    from tender.sealing.keyfile import private_bytes

    env = dict(os.environ, BENCH_KEYS=",".join(private_bytes(k).hex() for k in keys))
    out = subprocess.run([sys.executable, __file__, "--child", mode, a, b], check=True, env=env,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1]) / 1024  # kB


def best(fn, runs):
    return min(fn() for _ in range(runs))


def interleaved(fns, runs):
    """Best time of each function over ``runs`` rounds, taking turns so load changes hit all alike."""
    times = [[] for _ in fns]
    for _ in range(runs):
        for slot, fn in zip(times, fns):
            slot.append(fn())
    return [min(t) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--dir", default=tempfile.gettempdir())
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)

    work = Path(tempfile.mkdtemp(prefix="sealing-bench-", dir=args.dir))
    size = args.size_mib * MIB
    rate = lambda seconds: size / MIB / seconds  # noqa: E731
    try:
        keys, pks = custodians()
        src, bare_out, env, opened = work / "input.bin", work / "bare.out", work / "bid.tseal", work / "opened"
        sealed_again = work / "timed.tseal"
        make_input(src, size)
        print(f"payload {args.size_mib} MiB, best of {args.runs} runs, python {sys.version.split()[0]}")

        seal_file(src, env, pks)
        shares = shares_of(env, keys)

        def open_once():
            shutil.rmtree(opened, ignore_errors=True)
            return open_file(env, opened, shares)

        t_bare, t_seal, t_open = interleaved(
            [lambda: bare_file(src, bare_out), lambda: seal_file(src, sealed_again, pks), open_once], args.runs)
        sealed_again.unlink()
        assert (opened / "documents" / "payload.bin").stat().st_size == size
        print(f"disk   bare {rate(t_bare):7.0f} MiB/s | seal {rate(t_seal):7.0f} MiB/s = {t_bare / t_seal:6.1%}"
              f" | open {rate(t_open):7.0f} MiB/s = {t_bare / t_open:6.1%}   (goal >= 75%)")

        bare_out.unlink()
        shutil.rmtree(opened)
        buffer = src.read_bytes()
        envelope = env.read_bytes()

        def open_memory():
            opened_env = open_envelope(MemReader(envelope), shares, **BINDING, verify_first=False)
            return _timed(opened_env.verify)

        t_bare_m, t_seal_m, t_open_m = interleaved([
            lambda: bare_memory(buffer),
            lambda: _timed(lambda: seal_to(Sink(), Document("payload.bin", size, MemReader(buffer), "technical"),
                                           pks)),
            open_memory,
        ], args.runs)
        print(f"memory bare {rate(t_bare_m):7.0f} MiB/s | seal {rate(t_seal_m):7.0f} MiB/s = {t_bare_m / t_seal_m:6.1%}"
              f" | open {rate(t_open_m):7.0f} MiB/s = {t_bare_m / t_open_m:6.1%}   (goal >= 70%)")
        del buffer, envelope

        rss_seal = peak_rss_mib("seal", str(src), str(work / "child.tseal"), keys)
        rss_open = peak_rss_mib("open", str(work / "child.tseal"), str(work / "child-opened"), keys)
        print(f"peak RSS: seal {rss_seal:.0f} MiB, open {rss_open:.0f} MiB   (goal <= 128 MiB)")
        for p in (src, env, work / "child.tseal"):
            p.unlink()
        shutil.rmtree(work / "child-opened")

        many(work, keys, pks, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def many(work: Path, keys, pks, runs: int, count: int = 50, size_mib: int = 20) -> None:
    """Open 50 envelopes of 20 MiB each with their shares, against the bare pipeline."""
    envelopes, payloads, all_shares = [], [], []
    for i in range(count):
        payload = work / f"p{i}.bin"
        make_input(payload, size_mib * MIB)
        env = work / f"e{i}.tseal"
        seal_file(payload, env, pks)
        envelopes.append(env)
        payloads.append(payload)
        all_shares.append(shares_of(env, keys))

    def bare_all():
        t = 0.0
        for i, env in enumerate(envelopes):
            t += bare_file(env, work / f"bare{i}.out")
        return t

    def open_all():
        t = 0.0
        for i, env in enumerate(envelopes):
            shutil.rmtree(work / f"o{i}", ignore_errors=True)
            t += open_file(env, work / f"o{i}", all_shares[i])
        return t

    t_bare, t_open = interleaved([bare_all, open_all], runs)
    print(f"{count} x {size_mib} MiB: bare {t_bare:.2f} s, open with shares {t_open:.2f} s"
          f" = {t_open / t_bare:.2f}x   (goal <= 1.5x)")


if __name__ == "__main__":
    main()
