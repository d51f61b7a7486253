"""`glia train` / `glia evaluate` / glia.nn on a tiny generated ListOps set: a run resumed from a checkpoint (after
a stop or after SIGINT) ends bit for bit where the uninterrupted run ends; bad input exits 2 naming the cause; a
NaN loss stops with exit 1 and keeps the last checkpoint; glia.nn loads and evaluates checkpoints."""

import json
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

import glia


@pytest.fixture(scope="module")
def listops(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("data") / "listops"
    subprocess.run([cli, "data", "generate", "listops", "-o", str(out), "--train", "96", "--val", "24", "--test", "24",
                    "--min-length", "20", "--max-length", "80", "--shard-size", "48", "-q"], check=True)
    return out


def config(data, output, name="rmaat", steps=8, **training):
    model = {"name": name, "vocab_size": 16, "num_classes": 10, "max_length": 80, "d_model": 16, "heads": 2,
             "layers": 2, "ffn": 32, "dropout": 0.1, "seed": 3}
    if name in ("rmt", "rlt", "rmaat"):
        model.update(segment_length=20, memory_tokens=3)
    if name == "rmaat":
        model["retention"] = {"source": "exponential", "c": 0.5}
    t = {"steps": steps, "batch_size": 6, "accumulate": 2, "checkpoint_every": 4, "log_every": 2, "eval_every": 4,
         "seed": 9, "schedule": {"kind": "cosine", "warmup": 2}}
    t.update(training)
    return {"model": model, "data": {"path": str(data), "eval_examples": 12}, "training": t, "output": str(output)}


def run(cli, cfg, tmp_path, *args, check=True):
    path = tmp_path / f"cfg{time.monotonic_ns()}.json"
    path.write_text(json.dumps(cfg))
    r = subprocess.run([cli, "train", str(path), "--threads", "1", *args], capture_output=True, text=True)
    if check:
        assert r.returncode == 0, r.stderr
    return r


def weights(run_dir):
    with h5py.File(run_dir / "checkpoint.h5", "r") as f:
        return {k: f["parameters"][k][()] for k in f["parameters"]}, {k: f["adam_v"][k][()] for k in f["adam_v"]}, \
            int(f.attrs["step"]), int(f.attrs["examples_seen"])


@pytest.mark.parametrize("name", ["rmaat", "transformer"])
def test_resumed_run_equals_uninterrupted_run(cli, listops, tmp_path, name):
    run(cli, config(listops, tmp_path / "full", name), tmp_path)
    r = run(cli, config(listops, tmp_path / "split", name), tmp_path, "--until-step", "4")
    assert "stopped after step 4 of 8" in r.stdout
    r = run(cli, config(listops, tmp_path / "split", name), tmp_path)
    assert "resumed from step 4" in r.stdout
    (wf, vf, sf, ef), (ws, vs, ss, es) = weights(tmp_path / "full"), weights(tmp_path / "split")
    assert (sf, ef) == (ss, es) == (8, 8 * 12)
    for k in wf:
        np.testing.assert_array_equal(wf[k], ws[k], err_msg=k)
        np.testing.assert_array_equal(vf[k], vs[k], err_msg=k)
    full = (tmp_path / "full" / "metrics.csv").read_text().splitlines()
    split = (tmp_path / "split" / "metrics.csv").read_text().splitlines()
    assert [l.split(",")[:5] for l in full] == [l.split(",")[:5] for l in split]  # step, lr, loss, accuracy, norm
    result = json.loads((tmp_path / "full" / "result.json").read_text())
    assert result["steps"] == 8 and result["git_commit"] and result["config"]["model"]["name"] == name
    assert [e["split"] for e in result["evaluations"]] == ["val", "test"]
    assert len((tmp_path / "full" / "eval.csv").read_text().splitlines()) == 3  # header + steps 4 and 8


def test_sigint_writes_a_checkpoint_and_the_rerun_finishes_identically(cli, listops, tmp_path):
    # Far more steps than can run before the signal, which is sent once the first progress line is out.
    steps = 1_000_000
    cfg = config(listops, tmp_path / "interrupted", steps=steps, checkpoint_every=10 * steps)
    cfg["training"]["log_every"] = 1
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg))
    p = subprocess.Popen([cli, "train", str(path), "--threads", "1"], stderr=subprocess.PIPE, text=True)
    first = p.stderr.readline()
    assert first.startswith("step "), first
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, first + err
    assert "interrupted at step" in err
    _, _, stopped_at, _ = weights(tmp_path / "interrupted")
    assert 0 < stopped_at < steps
    # Continue the same run to a nearby step and compare with an uninterrupted run stopped there.
    target = str(stopped_at + 2)
    run(cli, cfg, tmp_path, "--until-step", target)
    straight = config(listops, tmp_path / "straight", steps=steps, checkpoint_every=10 * steps)
    straight["training"]["log_every"] = 1
    run(cli, straight, tmp_path, "--until-step", target)
    (a, _, sa, _), (b, _, sb, _) = weights(tmp_path / "interrupted"), weights(tmp_path / "straight")
    assert sa == sb == int(target)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_amrb_and_bptt_runs_train_identically(cli, listops, tmp_path):
    run(cli, config(listops, tmp_path / "amrb", steps=3, strategy="amrb"), tmp_path)
    run(cli, config(listops, tmp_path / "bptt", steps=3, strategy="bptt"), tmp_path)
    a, b = weights(tmp_path / "amrb")[0], weights(tmp_path / "bptt")[0]
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def error_of(cli, cfg, tmp_path, *args):
    r = run(cli, cfg, tmp_path, *args, check=False)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert not (tmp_path / "bad" / "checkpoint.h5").exists()
    return r.stderr


def test_bad_input_names_the_cause(cli, listops, tmp_path):
    out = tmp_path / "bad"
    cfg = config(listops, out)
    cfg["training"]["batch_sise"] = 4
    assert "training.batch_sise" in error_of(cli, cfg, tmp_path)
    cfg = config(listops, out)
    cfg["model"]["vocab_size"] = 10  # ListOps has 16 token ids
    assert "vocab_size 16" in error_of(cli, cfg, tmp_path)
    cfg = config(listops, out)
    cfg["model"]["num_classes"] = 2
    assert "10 classes" in error_of(cli, cfg, tmp_path)
    cfg = config(listops, out)
    cfg["model"]["max_length"] = 40
    assert "longer than model.max_length 40" in error_of(cli, cfg, tmp_path)
    cfg = config(listops, out, name="transformer", strategy="amrb")
    assert "training.strategy" in error_of(cli, cfg, tmp_path)
    cfg = config(listops, out)
    cfg["data"]["path"] = str(tmp_path / "nowhere")
    assert "nowhere" in error_of(cli, cfg, tmp_path)
    path = tmp_path / "broken.json"
    path.write_text("{\"model\": ")
    r = subprocess.run([cli, "train", str(path)], capture_output=True, text=True)
    assert r.returncode == 2 and "broken.json" in r.stderr


def test_a_checkpoint_of_another_run_is_refused(cli, listops, tmp_path):
    run(cli, config(listops, tmp_path / "bad", steps=3), tmp_path)
    other_seed = config(listops, tmp_path / "bad", steps=3, seed=10)
    r = run(cli, other_seed, tmp_path, check=False)
    assert r.returncode == 2 and "first difference at /training/seed" in r.stderr, r.stderr
    cfg = config(listops, tmp_path / "bad", name="rmt")
    r = run(cli, cfg, tmp_path, check=False)
    assert r.returncode == 2 and "different run (model \"rmaat\"" in r.stderr, r.stderr


def test_corrupt_shard_is_named(cli, listops, tmp_path):
    import shutil
    data = tmp_path / "corrupt"
    shutil.copytree(listops, data)
    shard = sorted(data.glob("train-*.h5"))[0]
    with h5py.File(shard, "r+") as f:
        f["labels"][0] = (f["labels"][0] + 1) % 10
    r = run(cli, config(data, tmp_path / "c"), tmp_path, check=False)
    assert r.returncode != 0 and shard.name in r.stderr, r.stderr


def test_nan_loss_stops_and_keeps_the_last_checkpoint(cli, listops, tmp_path):
    cfg = config(listops, tmp_path / "nan", steps=30, checkpoint_every=1, clip=0.0,
                 optimizer={"lr": 1e30}, schedule={"kind": "constant"})
    r = run(cli, cfg, tmp_path, check=False)
    assert r.returncode == 1 and "at step" in r.stderr and ("nan" in r.stderr or "inf" in r.stderr), r.stderr
    with h5py.File(tmp_path / "nan" / "checkpoint.h5", "r") as f:
        assert f.attrs["complete"] == 1
        assert all(np.isfinite(f["parameters"][k][()]).all() for k in f["parameters"])


def test_python_api_trains_loads_and_evaluates(cli, listops, tmp_path):
    cfg = config(listops, tmp_path / "py", name="rlt", steps=4)
    summary = glia.nn.train(cfg, progress=False)
    assert summary["step"] == 4 and summary["evaluations"][1]["split"] == "test"
    model = glia.nn.load(tmp_path / "py" / "checkpoint.h5")
    assert model.config["name"] == "rlt" and model.step == 4 and model.examples_seen == 48
    test = model.evaluate("test")
    final = summary["evaluations"][1]
    assert test["examples"] == 24 and test["accuracy"] == final["accuracy"]
    assert test["loss"] == pytest.approx(final["loss"], rel=1e-6)  # other batch sizes: other float rounding
    cli_eval = subprocess.run([cli, "evaluate", str(tmp_path / "py" / "checkpoint.h5"), "--split", "test", "-o",
                               str(tmp_path / "e.json")], capture_output=True, text=True)
    assert cli_eval.returncode == 0, cli_eval.stderr
    assert json.loads((tmp_path / "e.json").read_text())["accuracy"] == test["accuracy"]
    # Predictions from NumPy agree with the evaluation's accuracy on the same examples.
    tokens, mask, labels = [], [], []
    for shard in sorted((listops).glob("test-*.h5")):
        with h5py.File(shard, "r") as f:
            t, n, y = f["tokens"][()].astype(np.int32), f["lengths"][()], f["labels"][()]
        tokens.append(t)
        mask.append((np.arange(t.shape[1])[None, :] < n[:, None]).astype(np.uint8))
        labels.append(y)
    tokens, mask, labels = map(np.concatenate, (tokens, mask, labels))
    accuracy = float(np.mean(model.predict(tokens, mask) == labels))
    assert accuracy == pytest.approx(test["accuracy"], abs=1e-12)
    with pytest.raises(glia.ConfigError, match="not an HDF5 file"):
        glia.nn.load(tmp_path / "e.json")


def test_seed_option_sets_both_seeds_and_training_time_adds_up_over_sittings(cli, listops, tmp_path):
    cfg = config(listops, tmp_path / "unused")
    out = tmp_path / "seeded"
    r = run(cli, cfg, tmp_path, "--seed", "5", "-o", str(out), "--until-step", "4")
    r = run(cli, cfg, tmp_path, "--seed", "5", "-o", str(out))
    assert "resumed from step 4" in r.stdout
    result = json.loads((out / "result.json").read_text())
    assert result["seed"] == 5 and result["config"]["model"]["seed"] == 5
    assert result["train_seconds"] > result["train_seconds_last_invocation"] > 0
    with h5py.File(out / "checkpoint.h5", "r") as f:
        assert f.attrs["train_seconds"] == pytest.approx(result["train_seconds"], rel=0.5)
    # another seed is another run: its directory is refused
    r = run(cli, cfg, tmp_path, "--seed", "6", "-o", str(out), check=False)
    assert r.returncode == 2 and "different run" in r.stderr
    # and a seed that is not a 64-bit unsigned integer is a usage error
    r = run(cli, cfg, tmp_path, "--seed", "-1", "-o", str(out), check=False)
    assert r.returncode == 2 and "--seed = -1" in r.stderr


def test_two_tower_trains_on_pairs_and_pairs_need_it(cli, listops, tmp_path):
    """A retrieval data set (pairs [a ; b], fixture corpus in the npm layout) trains a two-tower rlt, resumes bit for
    bit; a pair data set without the head, and the head without pairs, exit 2 naming data.path."""
    src = tmp_path / "sotu"
    src.mkdir()
    for d in range(12):
        (src / f"{1800 + d}_x_y.txt").write_bytes((b"a" * (d + 1) + b"b" * (12 - d)) * 12)
    data = tmp_path / "pairs"
    subprocess.run([cli, "data", "generate", "retrieval", "-o", str(data), "--source", str(src), "--max-length", "32",
                    "--train", "60", "--val", "12", "--test", "12", "-q"], check=True)
    cfg = config(data, tmp_path / "tt", name="rlt")
    cfg["model"].update(vocab_size=257, num_classes=2, max_length=32, segment_length=16, two_tower={"hidden": 8})
    run(cli, cfg, tmp_path)
    result = json.loads((tmp_path / "tt" / "result.json").read_text())
    assert result["config"]["model"]["two_tower"] == {"hidden": 8}
    split = dict(cfg, output=str(tmp_path / "tt_split"))
    run(cli, split, tmp_path, "--until-step", "4")
    run(cli, split, tmp_path)
    a, b = weights(tmp_path / "tt")[0], weights(tmp_path / "tt_split")[0]
    assert all(np.array_equal(a[k], b[k]) for k in a)
    no_head = config(data, tmp_path / "bad", name="rlt")
    no_head["model"].update(vocab_size=257, num_classes=2, max_length=32, segment_length=16)
    assert "needs a \"two_tower\" head" in error_of(cli, no_head, tmp_path)
    head_only = config(listops, tmp_path / "bad2", name="rlt")
    head_only["model"]["two_tower"] = {}
    assert "does not hold pairs" in error_of(cli, head_only, tmp_path)
