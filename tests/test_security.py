"""What a link can never do: run code, inject HTML, or post across sites."""
import ast
import tomllib
from pathlib import Path

from tests.conftest import ROOT

SOURCES = [p for p in (ROOT / "gdviz").rglob("*.py")] + [ROOT / "app.py"]


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            yield node


def test_no_eval_or_exec_anywhere_in_the_app():
    for path in SOURCES:
        for call in calls(path):
            name = getattr(call.func, "id", getattr(call.func, "attr", ""))
            assert name not in {"eval", "exec", "compile", "__import__"}, f"{path}:{call.lineno}"


def test_no_unsafe_html():
    for path in SOURCES:
        for call in calls(path):
            for kw in call.keywords:
                if kw.arg == "unsafe_allow_html":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value is False, (
                        f"{path}:{call.lineno} allows raw HTML")


def test_server_config_is_safe_and_private():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
