"""gdviz: `streamlit run app.py`. The entry point only sets the page up and routes."""
import streamlit as st

st.set_page_config(page_title="gdviz: gradient descent, visualised", page_icon="⛰️", layout="wide")

pages = [st.Page("gdviz/pages/descent.py", title="Descent on a parabola", icon="⛰️",
                 default=True)]
for path, url, title, icon in (("gdviz/pages/neuron.py", "neuron", "A neuron learns", "🐾"),
                               ("gdviz/pages/math.py", "math", "The math", "∑")):
    try:
        pages.append(st.Page(path, title=title, icon=icon, url_path=url))
    except Exception:  # noqa: BLE001 - a page still being written must not break the others
        pass
st.navigation(pages).run()
