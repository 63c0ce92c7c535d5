"""A trained model's shapes with freshly initialised layers: what the model was before training."""

from __future__ import annotations

import dataclasses

import numpy as np

from ..arrays import frozen
from .numerics import Floats
from .weights import LayerWeights, PretrainedModel


def random_model(model: PretrainedModel, seed: int = 0) -> PretrainedModel:
    """The same shapes and embeddings with freshly initialised encoder layers, as before training.

    Like BERT's initialisation: every linear weight ~ N(0, initializer_range²), biases 0, layer
    norms gamma 1, beta 0. The embedding layer is the trained one, so both models see the same
    input and only the layers differ. Uses a local RandomState(seed), never the global one.
    """
    rng = np.random.RandomState(seed)
    d, d_ff, std = model.d_model, model.d_ff, model.initializer_range

    def w(n_in: int, n_out: int) -> Floats:
        return frozen(rng.randn(n_in, n_out) * std, np.float32)

    zeros_d, zeros_ff = frozen(np.zeros(d), np.float32), frozen(np.zeros(d_ff), np.float32)
    ones_d = frozen(np.ones(d), np.float32)
    layers = tuple(
        LayerWeights(
            w_q=w(d, d),
            b_q=zeros_d,
            w_k=w(d, d),
            b_k=zeros_d,
            w_v=w(d, d),
            b_v=zeros_d,
            w_o=w(d, d),
            b_o=zeros_d,
            ln1_gamma=ones_d,
            ln1_beta=zeros_d,
            w_1=w(d, d_ff),
            b_1=zeros_ff,
            w_2=w(d_ff, d),
            b_2=zeros_d,
            ln2_gamma=ones_d,
            ln2_beta=zeros_d,
        )
        for _ in range(model.n_layers)
    )
    return dataclasses.replace(model, name=f"{model.name} (random, seed {seed})", layers=layers)
