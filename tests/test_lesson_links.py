"""Lesson links (issue 14, item 3) read from the page with AppTest: `lock` disables exactly
the named controls at the link's values, `hide=sidebar` leaves the sidebar empty while the
link still sets the run, `prompt` shows as literal text however hostile, and the "Share
with the class" panel builds a link that opens the same view, with a QR code of exactly it."""
from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from PIL import Image

from gdviz.links import PROMPT_MAX
from gdviz.pages.share import qr_png
from gdviz.settings import DESCENT_FIELDS, NEURON_FIELDS
from tests.conftest import assert_clean, boxes, open_app, qr_matrix, texts

FIELDS = {"": DESCENT_FIELDS, "neuron": NEURON_FIELDS}
KINDS = ("number_input", "slider", "selectbox", "toggle")
# a link per lesson: values away from the defaults, and which of them it locks
LINKS = {
    "": (dict(lr="0.8", x0="-3.0", steps="50"), ("lr", "x0")),
    "neuron": (dict(noise="0.5", loss="ce", standardize="false", seed="7", lr="3.0"),
               ("noise", "loss", "standardize", "seed")),
}
HOSTILE_PROMPTS = (
    "<img src=x onerror=alert(1)>",
    "**bold** [link](javascript:alert(1))",
    "</script><script>alert(1)</script> `code` $x$ # head\n- item",
    "<b>Why</b> does η = 0.8 bounce? & < > \" '",
)


def settings_widgets(at, page: str, where=None) -> dict:
    """The lesson's setting controls by key (the share panel's own widgets left out)."""
    box = at if where is None else where
    keys = {f.key for f in FIELDS[page]}
    return {w.key: w for kind in KINDS for w in getattr(box, kind) if w.key in keys}


def open_share(at, page: str):
    """Open the "Share with the class" panel, as a teacher clicks it (the page reruns)."""
    at.session_state[f"share.{page or 'descent'}.open"] = True
    return at.run()


def shared_link(at) -> str:
    """The link the share panel shows (AppTest has no st.context.url: a relative link)."""
    links = [c.value for c in at.code if c.value.startswith("?")]
    assert len(links) == 1, links
    return links[0]


def link_notes(at) -> str:
    """The notes on a link's refused values (other warnings are verdicts on the run)."""
    return " ".join(w.value for w in at.warning if "could not be used" in w.value)


def link_params(link: str) -> dict:
    """A link's query as open_app takes it (a repeated key as a list)."""
    parsed = parse_qs(urlsplit(link).query, keep_blank_values=True)
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


@pytest.mark.parametrize("page", FIELDS)
def test_lock_disables_exactly_the_named_controls_at_the_links_values(page):
    values, lock = LINKS[page]
    at = open_app(page, **values, lock=",".join(lock))
    assert_clean(at)
    assert not link_notes(at)
    shown = settings_widgets(at, page)
    assert {k for k, w in shown.items() if w.disabled} == set(lock)
    fields = {f.key: f for f in FIELDS[page]}
    for key, raw in values.items():
        assert shown[key].value == fields[key].parse(raw), key


def test_a_locked_control_stays_put_through_clicks_and_page_switches():
    at = open_app(lr="0.8", lock="lr")
    at.number_input(key="steps").set_value(60).run()
    assert at.number_input(key="lr").value == 0.8 and at.number_input(key="lr").disabled
    at.query_params.clear()                       # a page switch as a browser makes it
    at.switch_page("gdviz/pages/neuron.py").run()
    assert not at.number_input(key="lr").disabled   # the neuron was not opened with a lock
    at.query_params.clear()
    at.switch_page("gdviz/pages/descent.py").run()
    assert_clean(at)
    assert at.number_input(key="lr").value == 0.8 and at.number_input(key="lr").disabled


def test_presets_that_would_move_a_locked_control_are_switched_off():
    at = open_app(lock="lr")                  # η locked at the seed's 0.1
    off = {b.key for b in at.button if b.key.startswith("preset_") and b.disabled}
    assert off == {f"preset_{n}" for n in ("small", "optimal", "oscillating", "edge",
                                           "large")}
    assert "would change a locked control" in texts(at)
    at.button(key="preset_seed").click().run()          # sets η to 0.1: allowed
    assert at.number_input(key="lr").value == 0.1

    at = open_app("neuron", lock="lr")        # η locked at the neuron's default 2
    off = {b.key for b in at.button if b.key.startswith("neuron_preset_") and b.disabled}
    assert off == {f"neuron_preset_{n}" for n in ("small", "right", "large", "unscaled")}
    at.button(key="neuron_preset_wrong_ce").click().run()
    assert_clean(at)
    assert at.number_input(key="lr").value == 2.0 and at.selectbox(key="loss").value == "ce"


@pytest.mark.parametrize("page", FIELDS)
def test_unknown_lock_names_get_a_note_and_known_ones_still_lock(page):
    at = open_app(page, lock="<b>zz</b>,lr,bogus")
    assert_clean(at)
    note = link_notes(at)
    assert "lock names" in note and "bogus" in note and "zz" in note
    assert not re.search(r"(?<!\\)[<>]", note), "link text must reach Markdown escaped"
    assert {k for k, w in settings_widgets(at, page).items() if w.disabled} == {"lr"}


@pytest.mark.parametrize("link, words", [
    (dict(lock=["lr", "x0"]), "lock appears 2 times"),
    (dict(hide="everything"), "hide can only be sidebar"),
])
def test_refused_options_fall_back_with_a_note(link, words):
    at = open_app(**link)
    assert_clean(at)
    assert words in link_notes(at).replace("\\", "")
    assert not any(w.disabled for w in settings_widgets(at, "").values())
    assert settings_widgets(at, "", at.sidebar)          # the sidebar is still shown


@pytest.mark.parametrize("page", FIELDS)
def test_hide_sidebar_empties_the_sidebar_and_the_link_still_sets_the_run(page):
    values, _ = LINKS[page]
    plain = open_app(page, **values)
    assert settings_widgets(plain, page, plain.sidebar)
    at = open_app(page, **values, hide="sidebar")
    assert_clean(at)
    assert not link_notes(at)
    assert not any(getattr(at.sidebar, kind) for kind in KINDS)
    assert not at.sidebar.header
    shown = settings_widgets(at, page)
    fields = {f.key: f for f in FIELDS[page]}
    for key, raw in values.items():
        assert shown[key].value == fields[key].parse(raw), key
    # the run is the link's: the page says what it ran with as it does without hide
    assert boxes(at) == boxes(plain)


@pytest.mark.parametrize("page", FIELDS)
@pytest.mark.parametrize("prompt", HOSTILE_PROMPTS)
def test_a_hostile_prompt_shows_as_literal_text(page, prompt):
    at = open_app(page, prompt=prompt)
    assert_clean(at)
    assert [t.value for t in at.text] == [prompt.strip()]
    rendered = texts(at) + " ".join(h.value for h in at.html)
    assert "<img" not in rendered and "<script" not in rendered
    assert "javascript:" not in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("page", FIELDS)
def test_a_prompt_over_280_characters_is_cut_with_a_note(page):
    prompt = "Why? " * 100
    at = open_app(page, prompt=prompt)
    assert_clean(at)
    assert [t.value for t in at.text] == [prompt.strip()[:PROMPT_MAX].rstrip()]
    assert f"only its first {PROMPT_MAX} are shown" in link_notes(at)


SHARE = {   # per lesson: settings to change, controls to lock in the panel
    "": (dict(lr=0.9, x0=-2.5, steps=70), ("lr", "steps")),
    "neuron": (dict(lr=5.0, epochs=300, seed=3), ("epochs", "seed")),
}


@pytest.mark.parametrize("page", FIELDS)
def test_the_shared_link_opens_the_same_view(page):
    lesson = page or "descent"
    changes, lock = SHARE[page]
    at = open_app(page)
    for key, value in changes.items():
        at.number_input(key=key).set_value(value)
    open_share(at, page)
    for key in lock:
        at.checkbox(key=f"share.{lesson}.lock.{key}").check()
    at.toggle(key=f"share.{lesson}.hide").set_value(True)
    question = "Where is the ball after <one> step? *Guess* [first](x)"
    at.text_area(key=f"share.{lesson}.prompt").input(question).run()
    assert_clean(at)
    link = shared_link(at)
    before = {k: w.value for k, w in settings_widgets(at, page).items()}

    opened = open_app(page, **link_params(link))
    assert_clean(opened)
    assert not link_notes(opened)
    after = settings_widgets(opened, page)
    assert {k: w.value for k, w in after.items()} == before
    assert {k for k, w in after.items() if w.disabled} == set(lock)
    assert not any(getattr(opened.sidebar, kind) for kind in KINDS)
    assert [t.value for t in opened.text] == [question]
    # the panel starts from the link's options
    assert shared_link(open_share(opened, page)) == link


@pytest.mark.parametrize("page", FIELDS)
def test_the_qr_code_encodes_exactly_the_link(page):
    at = open_app(page, prompt="<svg onload=alert(1)> & \"quotes\"", lock="lr")
    assert not at.get("image")                       # closed: no code is made
    link = shared_link(open_share(at, page))
    assert len(at.get("image")) == 1                 # the picture is on the page
    png = qr_png(link)
    expected = segno.make(link, error="m", micro=False)
    assert qr_matrix(png) == [list(row) for row in expected.matrix]
    assert Image.open(io.BytesIO(png)).width >= 400   # about 5 cm a side, projected
    other = segno.make(link + "x", error="m", micro=False)
    assert qr_matrix(png) != [list(row) for row in other.matrix]   # the comparison can fail


def test_a_link_too_long_for_a_qr_code_says_so():
    at = open_share(open_app(prompt="😀" * PROMPT_MAX), "")   # a smiley: 12 URL characters
    assert_clean(at)
    assert [t.value for t in at.text] == ["😀" * PROMPT_MAX]
    assert "too long for a QR code" in " ".join(w.value for w in at.warning)
    assert not at.get("image")
    assert shared_link(at).endswith("%F0%9F%98%80" * PROMPT_MAX)
