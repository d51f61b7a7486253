"""Inputs of the model tests (test_nn_models, test_nn_fam, test_nn_srformer): padded token batches (rows of the
given real lengths, random ids in [1, vocab), zeros after each row's length) and perturbed initial weights."""

import json

import numpy as np


def padded_batch(vocab, max_length, lengths, labels, seed):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(1, vocab, (len(lengths), max_length)).astype(np.int32)
    mask = np.zeros(tokens.shape, np.uint8)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
    tokens[mask == 0] = 0
    return tokens, mask, np.array(labels, np.int32)


def perturbed_init(core, cfg, scale, seed=11):
    """glia's initial weights for `cfg` moved off their initial values by N(0, scale²), so that no gradient is
    trivial (zero biases, unit norm gains)."""
    rng = np.random.default_rng(seed)
    return {k: np.asarray(v, np.float64) + scale * rng.standard_normal(np.shape(v))
            for k, v in core.nn_model_init(json.dumps(cfg)).items()}
