"""Glossary: the app's words in English and Spanish, each with what it means here and in the literature."""

import streamlit as st

from ui.page import start

# The entries in reading order: from the sentence to the encoder block. Each key is glossary.<term>.
TERMS = (
    "token",
    "embedding",
    "position",
    "qkv",
    "d_model",
    "d_k",
    "score",
    "logit",
    "softmax",
    "alpha",
    "output",
    "head",
    "w_o",
    "scaling",
    "temperature",
    "mask",
    "padding",
    "entropy",
    "residual",
    "layer_norm",
    "ffn",
    "pre_post",
)

ctrl, _ = start("glossary.title", "glossary", compute=False)
st.markdown(ctrl.t("glossary.intro"))
for term in TERMS:
    st.markdown(ctrl.t(f"glossary.{term}"))
