"""Blob storage: content addressing, size limit, corruption, path validation, concurrent writers."""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import threading

import pytest

from core.blobs import BlobCorrupted, BlobNotFound, BlobStore, BlobTooLarge, InvalidDigest

LIMIT = 256 * 1024


@pytest.fixture
def store(tmp_path):
    return BlobStore(tmp_path / "blobs", max_bytes=LIMIT)


def stored_files(store) -> list:
    return sorted(p.relative_to(store.root).as_posix() for p in store.root.rglob("*") if p.is_file())


def test_content_is_named_by_its_sha256_and_read_back(store):
    data = os.urandom(3 * 1024 * 1024 // 16)
    blob = store.put_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    assert (blob.digest, blob.size, blob.created) == (digest, len(data), True)
    assert stored_files(store) == [f"{digest[:2]}/{digest[2:4]}/{digest}"]
    assert store.read_bytes(digest) == data and store.size(digest) == len(data) and store.verify(digest)


def test_storing_the_same_content_again_is_a_no_op(store):
    first = store.put_bytes(b"envelope")
    second = store.put(io.BytesIO(b"envelope"))
    assert second.digest == first.digest and second.created is False
    assert len(stored_files(store)) == 1


def test_oversized_upload_is_refused_and_leaves_nothing(store):
    assert store.put_bytes(b"x" * LIMIT).size == LIMIT  # exactly the limit is fine
    before = stored_files(store)
    with pytest.raises(BlobTooLarge) as caught:
        store.put(io.BytesIO(b"y" * (LIMIT + 1)))
    assert caught.value.limit == LIMIT and str(LIMIT) in str(caught.value)
    with pytest.raises(BlobTooLarge):
        store.put_bytes(b"z" * 1000, max_bytes=999)  # a tighter limit per upload kind
    assert stored_files(store) == before


def test_a_failing_stream_leaves_nothing(store):
    class Broken(io.RawIOBase):
        calls = 0

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("connection reset")
            return b"a" * 1000

    with pytest.raises(OSError):
        store.put(Broken())
    assert stored_files(store) == []


def test_upload_not_matching_its_announced_digest_is_refused(store):
    with pytest.raises(BlobCorrupted):
        store.put_bytes(b"what was sent", expected_sha256=hashlib.sha256(b"what was meant").hexdigest())
    assert stored_files(store) == []
    good = store.put_bytes(b"ok", expected_sha256=hashlib.sha256(b"ok").hexdigest())
    assert good.created


def test_a_corrupted_file_is_detected_and_healed_by_storing_it_again(store):
    data = b"sealed bid " * 5000
    digest = store.put_bytes(data).digest
    path = store.path_for(digest)
    os.chmod(path, 0o640)
    raw = bytearray(path.read_bytes())
    raw[1234] ^= 0x01
    path.write_bytes(bytes(raw))

    assert store.verify(digest) is False
    with pytest.raises(BlobCorrupted):
        store.read_bytes(digest)
    with store.open(digest) as reader, pytest.raises(BlobCorrupted):
        while reader.read(4096):
            pass
    truncated = store.put_bytes(b"short").digest
    os.chmod(store.path_for(truncated), 0o640)
    store.path_for(truncated).write_bytes(b"shor")
    with pytest.raises(BlobCorrupted):
        store.read_bytes(truncated)

    healed = store.put_bytes(data)
    assert healed.created and store.read_bytes(digest) == data


@pytest.mark.parametrize(
    "name",
    [
        "../" * 10 + "etc/passwd",
        "..",
        "/etc/passwd",
        "A" * 64,
        "g" * 64,
        "a" * 63,
        "a" * 65,
        "a" * 64 + "\n",
        "\n" + "a" * 64,
        "aa/../" + "a" * 58,
        "a" * 62 + "/.",
        "%2e%2e%2f" + "a" * 55,
        "ａ" * 64,
        "",
        None,
        b"a" * 64,
    ],
)
def test_every_name_is_validated(store, name):
    for call in (store.path_for, store.exists, store.open, store.read_bytes, store.verify, store.size):
        with pytest.raises(InvalidDigest):
            call(name)
    if name is not None:  # None means no digest was announced
        with pytest.raises(InvalidDigest):
            store.put_bytes(b"x", expected_sha256=name)


def test_missing_blob(store):
    with pytest.raises(BlobNotFound):
        store.read_bytes("0" * 64)
    assert store.exists("0" * 64) is False


CONTENT = b"".join(hashlib.sha256(str(i).encode()).digest() for i in range(6000))  # 192000 bytes


def _put_in_process(root: str, out) -> None:
    out.put(BlobStore(root, max_bytes=LIMIT).put_bytes(CONTENT).digest)


def test_concurrent_writers_of_the_same_content(store):
    expected = hashlib.sha256(CONTENT).hexdigest()
    results, barrier = [], threading.Barrier(8)

    def write():
        barrier.wait()
        results.append(store.put_bytes(CONTENT).digest)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    processes = [ctx.Process(target=_put_in_process, args=(str(store.root), out)) for _ in range(4)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    results += [out.get(timeout=5) for _ in processes]

    assert results == [expected] * 12
    assert stored_files(store) == [f"{expected[:2]}/{expected[2:4]}/{expected}"]  # no temporary files left
    assert store.read_bytes(expected) == CONTENT


def test_store_from_config(tmp_path):
    store = BlobStore.from_config({"BLOB_DIR": str(tmp_path / "b"), "BLOB_MAX_BYTES": 10})
    assert store.root == (tmp_path / "b").resolve() and store.max_bytes == 10
