"""`python -m gdviz class ...`, run as a script would: a real process, a real database."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from gdviz import classroom, store
from gdviz.classroom import ClassClosed, Submission

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """The environment of a CLI run on SQLite in a fresh data folder."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GDVIZ_DATABASE_URL", "GDVIZ_TEACHER_KEY")}
    return {**clean, "GDVIZ_DATA_DIR": str(tmp_path / "data")}


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gdviz", "class", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=env)


def create(env: dict[str, str], *args: str) -> dict[str, str]:
    done = cli(env, "create", "--json", *args)
    assert done.returncode == 0 and done.stderr == ""
    return json.loads(done.stdout)


def make_class(env: dict[str, str]) -> dict[str, str]:
    """A class made through the store (quicker than a CLI process, for tests of the rest)."""
    db = store.open_store(store.database_url(env))
    made = db.create_class()
    db.dispose()
    return {"code": made.code, "teacher_key": made.teacher_key}


def send(env: dict[str, str], code: str, count: int) -> list[Submission]:
    """`count` runs sent to the class as the lessons will send them (through the store)."""
    db = store.open_store(store.database_url(env))
    runs = [Submission(session=f"student-{i:03d}", lesson="descent", lr=0.05 * (i + 1),
                       status="converged", regime="creeping", objective="seed", x0=8.0,
                       steps=40 - i, final_cost=2.0) for i in range(count)]
    for run in runs:
        db.add_submission(code, run)
    db.dispose()
    return runs


def test_create_prints_the_code_the_key_and_the_board_link(env):
    made = create(env, "--hours", "2", "--base-url", "https://gd.example.org/")
    assert classroom.normal_code(made["code"]) == made["code"]
    assert len(made["teacher_key"]) >= 22                      # >= 128 bits in base64
    link = urlsplit(made["board_url"])
    assert (link.scheme, link.netloc, link.path) == ("https", "gd.example.org", "/class")
    assert parse_qs(link.query) == {"code": [made["code"]], "key": [made["teacher_key"]]}
    expires = time.time() + 2 * 3600
    from datetime import datetime
    assert abs(datetime.fromisoformat(made["expires_at"]).timestamp() - expires) < 60


def test_the_default_board_link_is_on_localhost(env):
    assert create(env)["board_url"].startswith("http://localhost:8501/class?code=")


def test_export_writes_a_header_and_one_row_per_submission(env):
    made = create(env)
    runs = send(env, made["code"], 3)
    done = cli(env, "export", made["code"], "--teacher-key", made["teacher_key"])
    assert done.returncode == 0 and done.stderr == ""
    table = list(csv.reader(io.StringIO(done.stdout)))
    assert tuple(table[0]) == classroom.CSV_COLUMNS
    rows = [dict(zip(table[0], row, strict=True)) for row in table[1:]]
    assert [float(r["lr"]) for r in rows] == [r.lr for r in runs]
    assert [r["session"] for r in rows] == [r.session for r in runs]


def test_export_of_an_empty_class_is_the_header_alone(env):
    made = create(env)
    done = cli(env, "export", made["code"], "--teacher-key", made["teacher_key"])
    assert done.stdout.splitlines() == [",".join(classroom.CSV_COLUMNS)]


def test_the_key_may_come_from_the_environment(env):
    made = create(env)
    send(env, made["code"], 1)
    done = cli({**env, "GDVIZ_TEACHER_KEY": made["teacher_key"]}, "export", made["code"])
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2


@pytest.mark.parametrize("action", ["export", "close"])
@pytest.mark.parametrize("case", ["wrong key", "other class's key", "unknown code", "no key"])
def test_a_refusal_is_one_line_with_no_data_and_no_secret(env, action, case):
    made, other = make_class(env), make_class(env)
    send(env, made["code"], 2)
    code, key = {
        "wrong key": (made["code"], made["teacher_key"][::-1]),
        "other class's key": (made["code"], other["teacher_key"]),
        "unknown code": ("ZZZZZZ", made["teacher_key"]),
        "no key": (made["code"], None),
    }[case]
    done = cli(env, action, code, *(["--teacher-key", key] if key else []))
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    for secret in (made["teacher_key"], other["teacher_key"], key or made["teacher_key"],
                   made["code"]):
        assert secret not in done.stderr
    # nothing changed: the class is open and holds its two runs
    db = store.open_store(store.database_url(env))
    board = db.read_board(made["code"], made["teacher_key"])
    assert not board.closed and len(board.received) == 2


def test_close_stops_submissions(env):
    made = create(env)
    send(env, made["code"], 1)
    done = cli(env, "close", made["code"], "--teacher-key", made["teacher_key"])
    assert done.returncode == 0 and done.stderr == ""
    with pytest.raises(ClassClosed):
        send(env, made["code"], 1)
    done = cli(env, "export", made["code"], "--teacher-key", made["teacher_key"])
    assert len(done.stdout.splitlines()) == 2                 # the board and export remain


def test_an_unwritable_data_folder_is_one_line(env, tmp_path):
    (tmp_path / "file").write_text("")
    done = cli({**env, "GDVIZ_DATA_DIR": str(tmp_path / "file" / "data")}, "create", "--json")
    assert done.returncode != 0 and done.stdout == ""
    assert done.stderr.startswith("gdviz: The data folder") and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("hours", ["0", "-3", "nan", "1e9", "soon"])
def test_a_bad_lifetime_is_one_line(env, hours):
    done = cli(env, "create", "--hours", hours)
    assert done.returncode == 2 and done.stdout == "" and len(done.stderr.splitlines()) == 1


def test_the_cli_works_on_postgresql(env, postgres_url):
    pg = {**env, "GDVIZ_DATABASE_URL": postgres_url}
    made = create(pg)
    send(pg, made["code"], 2)
    done = cli(pg, "export", made["code"], "--teacher-key", made["teacher_key"])
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 3
    assert not (Path(env["GDVIZ_DATA_DIR"]) / store.SQLITE_FILE).exists()
