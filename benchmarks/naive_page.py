"""The baseline: a naive one-file page, one plotly heatmap and the six step tables, written the obvious way.

No cache, no sidebar, no compact view; the figure is built with plotly express as tutorials do.
It reads the same query parameters as the app (sentence, d_model, d_k, d_v, n_heads, seed), so the
benchmarks open both with the same URL. Run it with `streamlit run benchmarks/naive_page.py`.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # attention_core from the checkout

import pandas as pd
import plotly.express as px
import streamlit as st

import attention_core as ac

q = st.query_params
config = ac.AttentionConfig(
    sentence=q.get("sentence", ac.AttentionConfig().sentence),
    d_model=int(q.get("d_model", 4)),
    d_k=int(q.get("d_k", 3)),
    d_v=int(q.get("d_v", 3)),
    n_heads=int(q.get("n_heads", 1)),
    seed=int(q.get("seed", 23)),
)
trace = ac.compute(config)
labels = [f"{i + 1}. {tok}" for i, tok in enumerate(trace.tokens)]

st.title("Naive attention page")
fig = px.imshow(trace.weights[0], x=labels, y=labels, text_auto=".4f", color_continuous_scale="Viridis")
st.plotly_chart(fig)
for name, values in (
    ("E", trace.embeddings),
    ("X", trace.x),
    ("Q", trace.q[0]),
    ("K", trace.k[0]),
    ("V", trace.v[0]),
    ("output", trace.output),
):
    st.subheader(name)
    st.dataframe(pd.DataFrame(values, index=labels))
