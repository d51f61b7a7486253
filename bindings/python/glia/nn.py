"""Trainable astromorphic transformers from Python: train, resume, load and evaluate the six sequence
classifiers of docs/model_config.md (transformer, linear_transformer, at, rmt, rlt, rmaat).

    run = glia.nn.train("experiments/configs/listops_rmaat.json", output="results/listops_rmaat")
    model = glia.nn.load("results/listops_rmaat/checkpoint.h5")
    model.evaluate("test")                  # {'split': 'test', 'accuracy': ..., 'loss': ..., 'examples': ...}
    logits = model.logits(tokens, mask)     # NumPy in, NumPy out

The training config is documented in docs/training_config.md; a run directory that holds a checkpoint is
resumed (bit for bit), and training.steps may be raised to extend a finished run.
"""

import json
import os

import numpy as np

from . import _core


def _config_text(config):
    if isinstance(config, (str, os.PathLike)):
        with open(config) as f:
            return f.read()
    return json.dumps(config)


def init(model_config):
    """glia's initial weights (float64 arrays by parameter name) for a model config (dict)."""
    return _core.nn_model_init(json.dumps(model_config))


def train(config, output=None, steps=None, progress=True):
    """Train (or resume) a run. `config`: a dict or the path of a JSON training config; `output` and `steps`
    override "output" and training.steps. Returns the run summary (steps, evaluations, files written);
    result.json in the run directory holds it with provenance."""
    cfg = json.loads(_config_text(config))
    if output is not None:
        cfg["output"] = str(output)
    if steps is not None:
        cfg.setdefault("training", {})["steps"] = int(steps)
    return _core.nn_train(json.dumps(cfg), progress)


class Model:
    """A trained model loaded from a checkpoint: its config, weights and training position."""

    def __init__(self, path):
        loaded = _core.nn_load_checkpoint(str(path))
        self.path = str(path)
        self.run_config = json.loads(loaded["config"])
        self.config = self.run_config["model"]
        self.weights = loaded["weights"]
        self.step = loaded["step"]
        self.examples_seen = loaded["examples_seen"]
        self.seed = loaded["seed"]

    def logits(self, tokens, mask=None):
        """Logits (B, num_classes) for token ids (B, L); mask (B, L) marks real tokens (default: all)."""
        tokens = np.ascontiguousarray(tokens, dtype=np.int32)
        mask = np.ones_like(tokens, dtype=np.uint8) if mask is None else np.ascontiguousarray(mask, dtype=np.uint8)
        return _core.nn_model_logits(json.dumps(self.config), self.weights, tokens, mask)

    def predict(self, tokens, mask=None):
        return np.argmax(self.logits(tokens, mask), axis=1)

    def evaluate(self, split="test", data=None, batch_size=32):
        """Mean loss and accuracy on a split of the run's data set (or of the data set at `data`)."""
        return _core.nn_evaluate_checkpoint(self.path, split, "" if data is None else str(data), batch_size)

    def __repr__(self):
        return f"glia.nn.Model({self.config['name']}, step {self.step}, {self.path})"


def load(path):
    """Load a training checkpoint (checkpoint.h5 of a run directory)."""
    return Model(path)
