"""`glia data generate` / `glia data check` from the command line: generate, check, a corrupted shard is
named by the check (exit 1), a deleted shard is regenerated alone with the same checksum, and bad
arguments exit 2 with one line naming the option."""

import json
import os
import subprocess

import h5py
import numpy as np
import pytest


def run(cli, *args):
    return subprocess.run([cli, "data", *args], capture_output=True, text=True, timeout=300)


LISTOPS = ["--seed", "3", "--train", "60", "--val", "20", "--test", "20", "--shard-size", "25",
           "--min-length", "20", "--max-length", "80", "-q"]


def manifest(path):
    return json.loads((path / "manifest.json").read_text())


def checksums(m):
    return {s["file"]: s["checksum"] for split in m["splits"].values() for s in split["shards"]}


def flip_token_byte(path):
    """Flips one byte inside the stored token data of a shard (found with h5py, so the flip cannot land in
    unused space)."""
    with h5py.File(path, "r") as f:
        ds = f["tokens"]
        if ds.chunks is None:
            offset, size = ds.id.get_offset(), ds.id.get_storage_size()
        else:
            info = ds.id.get_chunk_info(0)
            offset, size = info.byte_offset, info.size
    with open(path, "r+b") as f:
        f.seek(offset + size // 2)
        b = f.read(1)
        f.seek(offset + size // 2)
        f.write(bytes([b[0] ^ 0x5A]))


def test_generate_check_and_a_corrupt_shard(cli, tmp_path):
    out = tmp_path / "listops"
    p = run(cli, "generate", "listops", "--out", str(out), *LISTOPS)
    assert p.returncode == 0, p.stderr
    m = manifest(out)
    assert m["complete"] and m["task"] == "listops" and m["vocab_size"] == 16 and m["max_length"] == 80
    assert [s["file"] for s in m["splits"]["train"]["shards"]] == ["train-00000.h5", "train-00001.h5",
                                                                   "train-00002.h5"]
    with h5py.File(out / "train-00001.h5", "r") as f:
        tokens, lengths, labels = f["tokens"][()], f["lengths"][()], f["labels"][()]
        assert tokens.dtype == np.uint8 and tokens.shape == (25, 80)
        assert f.attrs["complete"] == 1 and f.attrs["seed"] == 3 and "glia_version" in f.attrs
        assert f.attrs["checksum"] == m["splits"]["train"]["shards"][1]["checksum"]
    assert all(20 < n < 80 for n in lengths) and set(labels) <= set(range(10))
    assert all((row[n:] == 0).all() and (row[:n] > 0).all() for row, n in zip(tokens, lengths))

    p = run(cli, "check", str(out))
    assert p.returncode == 0, p.stderr
    assert "100 examples" in p.stdout and "every label re-derived" in p.stdout

    flip_token_byte(out / "val-00000.h5")
    p = run(cli, "check", str(out))
    assert p.returncode == 1
    assert str(out / "val-00000.h5") in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_resume_regenerates_only_the_missing_shard(cli, tmp_path):
    out = tmp_path / "listops"
    assert run(cli, "generate", "listops", "--out", str(out), *LISTOPS).returncode == 0
    before = checksums(manifest(out))
    stamps = {name: os.stat(out / name).st_mtime_ns for name in before}
    os.remove(out / "train-00001.h5")
    p = run(cli, "generate", "listops", "--out", str(out), *LISTOPS[:-1])
    assert p.returncode == 0, p.stderr
    assert "wrote 1 shards (25 examples)" in p.stdout and "kept 4 complete shards" in p.stdout, p.stdout
    assert checksums(manifest(out)) == before
    for name, stamp in stamps.items():
        if name != "train-00001.h5":
            assert os.stat(out / name).st_mtime_ns == stamp, name
    assert run(cli, "check", str(out)).returncode == 0


def test_pathfinder_small_set(cli, tmp_path):
    out = tmp_path / "pf"
    p = run(cli, "generate", "pathfinder32", "--out", str(out), "--train", "40", "--val", "10", "--test", "10",
            "--seed", "5")
    assert p.returncode == 0, p.stderr
    assert "label shares: 0.500 0.500" in p.stdout
    with h5py.File(out / "train-00000.h5", "r") as f:
        assert f["tokens"].shape == (40, 1024) and f["tokens"].dtype == np.uint8
        assert f["endpoints"].shape == (40, 8) and f["markers"].shape == (40, 4)
        assert (f["tokens"][()].max(axis=1) == 255).all()
        assert f["labels"][()].sum() == 20
    assert run(cli, "check", str(out), "-q").returncode == 0


@pytest.mark.parametrize(
    "args, field",
    [
        (["generate", "sudoku", "--out", "{d}"], "TASK"),
        (["generate", "listops", "--out", "{d}", "--train", "-5"], "--train"),
        (["generate", "listops", "--out", "{d}", "--min-length", "100", "--max-length", "101"], "--max-length"),
        (["generate", "listops", "--out", "{d}", "--shard-size", "0"], "--shard-size"),
        (["generate", "pathfinder32", "--out", "{d}", "--min-length", "3"], "--min-length"),
        (["generate", "sfashion_mnist", "--out", "{d}", "--seed", "3"], "--seed"),
        (["generate", "sfashion_mnist", "--out", "{d}", "--source", "/nonexistent"], "/nonexistent"),
        (["generate", "listops", "--out", "{d}", "--seed", "abc"], "--seed"),
        (["generate", "listops"], "--out"),
        (["check", "{d}/nothing-here"], "nothing-here"),
    ],
)
def test_bad_arguments_exit_2_naming_the_field(cli, tmp_path, args, field):
    p = run(cli, *[a.replace("{d}", str(tmp_path / "out")) for a in args])
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert field in p.stderr, p.stderr


def test_other_parameters_on_an_existing_data_set_exit_2(cli, tmp_path):
    out = tmp_path / "listops"
    assert run(cli, "generate", "listops", "--out", str(out), *LISTOPS).returncode == 0
    args = list(LISTOPS)
    args[args.index("--max-length") + 1] = "90"
    p = run(cli, "generate", "listops", "--out", str(out), *args)
    assert p.returncode == 2
    assert "--max-length = 90" in p.stderr and "(80)" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
