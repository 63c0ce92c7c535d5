"""The app's one block of shared CSS, drawn once per page by the shared controls (ui/controls.py).

Constant text, no user input anywhere in it: the project's rule is only that no *user* text goes
through `unsafe_allow_html`. Each rule fixes something Streamlit's own styling gets wrong for a
keyboard, phone or projector user; each says why. The projector's larger type is ui/present.py's.
"""

from __future__ import annotations

import streamlit as st

# Each rule below, and why. The comments stay here, in Python: the CSS itself travels to every browser
# on every rerun (it is part of the sidebar), so it goes without them.
#
# 1. A collapsed sidebar (phone width, presenter mode) is only slid off-screen, so its controls stayed
#    in the Tab order and focus vanished for ~10 presses. Streamlit 1.67 marks the state with
#    data-collapsed; visibility:hidden takes the content out of the Tab order and the accessibility
#    tree, and it comes back as soon as the sidebar is expanded again. Every descendant too: the help
#    icons' tooltip targets set visibility:visible on themselves.
# 2. A focused page link looked exactly like the current page's link (same grey background). Keyboard
#    focus gets a clear outline, which the current page (no focus) never has.
# 3. A table's toolbar (download, search, full screen) floats above the table's top edge and covered the
#    caption or formula just above it. The table moves down by the toolbar's overhang, so the toolbar
#    sits in space of its own.
# 4. The sentence box is a text area. Streamlit draws its hint ("Press Ctrl+Enter to apply") and character
#    counter at the box's bottom right, over the last line of text. The widget keeps a line of its own
#    below the box, and the hint and counter sit there, so they never cover the sentence.
# 5. That hint is Streamlit's, in English only; the box's label says the same in the page's language
#    (<html lang> follows it, ui/controls.py). Outside English only the counter stays.
_RULES = (
    '[data-testid="stSidebar"][data-collapsed="true"] [data-testid="stSidebarContent"],'
    '[data-testid="stSidebar"][data-collapsed="true"] [data-testid="stSidebarContent"] *'
    "{visibility:hidden !important}",
    '[data-testid="stSidebar"] a:focus-visible{outline:3px solid #1f6feb;outline-offset:2px}',
    '[data-testid="stFullScreenFrame"] > [data-testid="stDataFrame"]{margin-top:1.75rem}',
    '[data-testid="stSidebar"] [data-testid="stTextArea"]{padding-bottom:1.25rem}',
    '[data-testid="stSidebar"] [data-testid="stTextArea"] [data-testid="InputInstructions"]{bottom:0}',
    'html:not([lang="en"]) [data-testid="stTextArea"] [data-testid="InputInstructions"]'
    " > span:first-child:not(:last-child){display:none}",
    'html:not([lang="en"]) [data-testid="stTextArea"] [data-testid="InputInstructions"] > span::before{content:none}',
)
SHARED_CSS = "<style>" + "".join(_RULES) + "</style>"


def draw_shared_css() -> None:
    """Draw SHARED_CSS (constant, no user text; see the module docstring)."""
    st.markdown(SHARED_CSS, unsafe_allow_html=True)
