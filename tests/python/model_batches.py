"""Padded token batches for the model tests (test_nn_models, test_nn_fam, test_nn_srformer): rows of the given
real lengths, random ids in [1, vocab), zeros (masked) after each row's length."""

import numpy as np


def padded_batch(vocab, max_length, lengths, labels, seed):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(1, vocab, (len(lengths), max_length)).astype(np.int32)
    mask = np.zeros(tokens.shape, np.uint8)
    for i, n in enumerate(lengths):
        mask[i, :n] = 1
    tokens[mask == 0] = 0
    return tokens, mask, np.array(labels, np.int32)
