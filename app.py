"""gdviz: `streamlit run app.py`. The entry point only sets the page up and routes."""
import streamlit as st

from gdviz.links import HIDE, SIDEBAR

st.set_page_config(page_title="gdviz: gradient descent, visualised", page_icon="⛰️",
                   layout="wide")

PAGES = (  # file, URL path ("" is the root), title, icon
    ("gdviz/pages/descent.py", "", "Descent on a parabola", ":material/show_chart:"),
    ("gdviz/pages/neuron.py", "neuron", "A neuron learns", ":material/pets:"),
    ("gdviz/pages/math.py", "math", "The math", ":material/functions:"),
    ("gdviz/pages/classboard.py", "class", "Class board", ":material/groups:"),
)
# A lesson link with hide=sidebar hides the page menu too, so that no sidebar is drawn
# (gdviz/pages/share.py folds the lesson's controls into the page).
HIDDEN = st.query_params.get_all(HIDE) == [SIDEBAR]
st.navigation([
    st.Page(path, title=title, icon=icon, default=(url == ""), **({"url_path": url} if url else {}))
    for path, url, title, icon in PAGES
], position="hidden" if HIDDEN else "sidebar").run()
