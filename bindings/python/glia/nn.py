"""Trainable astromorphic transformers from Python: train, resume, load and evaluate the six sequence
classifiers of docs/model_config.md (transformer, linear_transformer, at, rmt, rlt, rmaat).

    run = glia.nn.train("experiments/configs/listops_rmaat.json", output="results/listops_rmaat")
    model = glia.nn.load("results/listops_rmaat/checkpoint.h5")
    model.evaluate("test")                  # {'split': 'test', 'accuracy': ..., 'loss': ..., 'examples': ...}
    logits = model.logits(tokens, mask)     # NumPy in, NumPy out

at and rmaat models can run every attention head as a neuron-astrocyte simulation (MAPPING.md §1;
docs/training_config.md, "Running a trained model as a simulation"):

    model.compare_simulated("test", examples=200, tau_ratio=0.01)   # accuracies, agreement, max |dlogit|, ...
    model.simulated_logits(tokens, mask, tau_ratio=0.01)
    gm.simulate_head(**model.head_inputs(tokens, mask, layer=0, head=1), tau_n=1e-3)  # one head, by hand

The training config is documented in docs/training_config.md; a run directory that holds a checkpoint is
resumed (bit for bit), and training.steps may be raised to extend a finished run.
"""

import json
import os

import numpy as np

from . import _core


def _config_text(config):
    if isinstance(config, (str, os.PathLike)):
        return _core.read_config_file(os.fspath(config), "config")
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
    """A trained model loaded from a checkpoint: its config, weights and training position (or a model built from
    a config and weights with :func:`from_weights`, which has no checkpoint and no data set)."""

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

    @classmethod
    def _from_weights(cls, model_config, weights):
        m = cls.__new__(cls)
        m.path = None
        m.run_config = None
        m.config = dict(model_config)
        m.weights = {k: np.asarray(v) for k, v in weights.items()}
        m.step = m.examples_seen = 0
        m.seed = int(model_config.get("seed", 0))
        return m

    def _checkpoint(self, what):
        if self.path is None:
            raise _core.ConfigError(f"checkpoint: {what} needs a model loaded from a checkpoint (glia.nn.load): it "
                                    "evaluates the run's data set; this one was built with glia.nn.from_weights")
        return self.path

    def evaluate(self, split="test", data=None, batch_size=32, examples=0):
        """Mean loss and accuracy on the first `examples` (0: all) examples of a split of the run's data set (or of
        the data set at `data`)."""
        return _core.nn_evaluate_checkpoint(self._checkpoint("evaluate"), split, "" if data is None else str(data),
                                            batch_size, int(examples))

    def compare_simulated(self, split="test", examples=0, tau_ratio=0.01, dt_ratio=1.0, method="rk4",
                          neuron_leak=1.0, synapse_leak=0.0, data=None, batch_size=32, progress=True, output=None):
        """Evaluates the first `examples` (0: all) examples of a split with the operator and with every attention
        head run as a neuron-astrocyte simulation (at, rmaat), as ``glia evaluate --simulate-heads`` does.

        tau_ratio = tau_n/tau_p (the neurons' time constant over a token's presentation time; the error against
        the operator is of this order), dt_ratio = dt/tau_n, method euler/rk2/rk4 (1/(tau_ratio*dt_ratio) steps
        per token must be whole), neuron_leak (1: neurons relax to their drive), synapse_leak (0: the operator's
        limit; > 0 a leaky, different operator). Cost grows as 1/(tau_ratio*dt_ratio).

        Returns a dict: operator_accuracy, simulated_accuracy, operator_loss, simulated_loss, agreement (fraction
        of identical arg-max predictions), disagreements, max_abs_logit_diff, mean_abs_logit_diff, examples,
        heads_simulated, settings, operator_seconds, simulated_seconds, wall_seconds, threads, warnings and
        provenance (glia_version, git_commit, created, checkpoint, checkpoint_step, seed, config); `output`
        writes it as JSON. `progress` prints examples done, rate and ETA on stderr. A model without astromorphic
        attention or a bad setting raises glia.ConfigError naming it."""
        return json.loads(_core.nn_compare_simulated(
            self._checkpoint("compare_simulated"), split, "" if data is None else str(data), int(examples),
            int(batch_size), float(tau_ratio), float(dt_ratio), method, float(neuron_leak), float(synapse_leak),
            bool(progress), "" if output is None else str(output)))

    def simulated_logits(self, tokens, mask=None, tau_ratio=0.01, dt_ratio=1.0, method="rk4", neuron_leak=1.0,
                         synapse_leak=0.0):
        """Like :meth:`logits`, with every attention head run as a neuron-astrocyte simulation (settings as in
        :meth:`compare_simulated`)."""
        tokens = np.ascontiguousarray(tokens, dtype=np.int32)
        mask = np.ones_like(tokens, dtype=np.uint8) if mask is None else np.ascontiguousarray(mask, dtype=np.uint8)
        return _core.nn_model_simulated_logits(json.dumps(self.config), self.weights, tokens, mask, float(tau_ratio),
                                               float(dt_ratio), method, float(neuron_leak), float(synapse_leak))

    def head_inputs(self, tokens, mask=None, example=0, segment=0, layer=0, head=0):
        """What the simulation of one head is given when the model runs on (tokens, mask): the real query rows q,
        the real keys k with their values v and astrocyte activity A ("activity", None without the astrocyte
        term), alpha, nonlinearity, epsilon and synaptic_scale (c = 1/N_k over all key rows), plus key_rows and
        query_rows (their positions among the rows of the pass). The first six keys and synaptic_scale are the
        arguments of glia.mapping.simulate_head and head_operator."""
        tokens = np.ascontiguousarray(tokens, dtype=np.int32)
        mask = np.ones_like(tokens, dtype=np.uint8) if mask is None else np.ascontiguousarray(mask, dtype=np.uint8)
        return dict(_core.nn_model_head_inputs(json.dumps(self.config), self.weights, tokens, mask, int(example),
                                               int(segment), int(layer), int(head)))

    def __repr__(self):
        return f"glia.nn.Model({self.config['name']}, step {self.step}, {self.path})"


def load(path):
    """Load a training checkpoint (checkpoint.h5 of a run directory)."""
    return Model(path)


def from_weights(model_config, weights=None):
    """A :class:`Model` from a model config (dict) and weights by parameter name (default: glia's initial weights,
    :func:`init`), for logits, simulated_logits and head_inputs without a checkpoint."""
    return Model._from_weights(model_config, init(model_config) if weights is None else weights)
