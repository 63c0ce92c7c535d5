"""Home page, "Step by step": the reference notebook's walk-through for the current controls."""

from ui.home import home_body
from ui.page import start

ctrl, trace = start("home.title", "home")
if trace is not None:
    home_body(ctrl, trace)
