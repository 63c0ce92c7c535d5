"""Streamlit-side helpers: shared controls, cached computation, tables, figures, text catalogues."""
