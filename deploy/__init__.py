"""Running the app for real: one Streamlit server (server), or a lecture hall's replicas behind nginx (hall)."""
