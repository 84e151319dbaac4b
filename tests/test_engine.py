"""The temporary Prefect API of one ogi command works on a database of its own, thrown away after it: runs never
pile up in Prefect's home (``~/.prefect/prefect.db`` grew by every run of every command before)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

ONE_COMMAND = """
import json, os, sqlite3
from prefect import flow
from flows.engine import prefect_api

@flow
def hello():
    return 1

with prefect_api():
    database = os.environ["PREFECT_SERVER_DATABASE_CONNECTION_URL"].split(":///", 1)[1]
    hello()
    hello()
    with sqlite3.connect(database) as db:
        runs = db.execute("SELECT COUNT(*) FROM flow_run").fetchone()[0]
    from prefect.settings import get_current_settings
    heartbeat = get_current_settings().flows.heartbeat_frequency
print(json.dumps({"database": database, "flow_runs": runs, "heartbeat": heartbeat,
                  "url_after": os.environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL")}))
"""


def _home_database(home: Path) -> tuple[int, int] | None:
    found = home / "prefect.db"
    return (found.stat().st_size, found.stat().st_mtime_ns) if found.exists() else None


@pytest.mark.slow
def test_each_command_runs_on_a_fresh_database_that_goes_with_it():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_") and "DATABASE" not in k}
    home = Path(env.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    before = _home_database(home)
    done = subprocess.run(
        [sys.executable, "-c", ONE_COMMAND], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["flow_runs"] == 2  # this command's two runs, and nothing from earlier commands
    database = Path(seen["database"])
    assert home not in database.parents
    assert not database.parent.exists()  # thrown away with the server
    assert seen["url_after"] is None
    assert seen["heartbeat"] is None  # no flow-run heartbeats to a server that dies with the command
    assert _home_database(home) == before  # Prefect's own database untouched (or still absent)
    (template,) = home.glob("ogi-empty-*.db")  # one template: older ones go when a new one is made
    with sqlite3.connect(template) as db:  # the copies' source stays empty of runs, and holds the block types
        assert db.execute("SELECT COUNT(*) FROM flow_run").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM block_type WHERE slug = 'local-file-system'").fetchone()[0] == 1


def test_an_operators_server_keeps_prefects_heartbeats():
    """With ``PREFECT_API_URL`` set (a lasting server) the heartbeats that let it mark a crashed run stay on."""
    code = (
        "from flows.engine import prefect_api\n"
        "from prefect.settings import get_current_settings\n"
        "with prefect_api():\n"
        "    print(get_current_settings().flows.heartbeat_frequency)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_API_URL"] = "http://127.0.0.1:9/api"  # never contacted: the setting is read, no flow runs
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1].isdigit()  # Prefect's default interval (180 s in Prefect 3.9), not None


def test_a_commands_preparation_runs_while_the_server_starts_and_its_failure_stops_the_server():
    """``prefect_api(meanwhile=…)``: the command imports while its temporary server starts; if that fails, the server
    just spawned goes with it (no process left, its database thrown away)."""
    code = (
        "import json, os, psutil\n"
        "from flows.engine import prefect_api\n"
        "seen = {}\n"
        "def servers():\n"
        "    return [p for p in psutil.Process().children(recursive=True) if 'uvicorn' in ' '.join(p.cmdline())]\n"
        "def prepare():\n"
        "    seen['spawned'] = len(servers())\n"
        "    seen['database'] = os.environ['PREFECT_SERVER_DATABASE_CONNECTION_URL'].split(':///', 1)[1]\n"
        "    raise RuntimeError('preparation failed')\n"
        "try:\n"
        "    with prefect_api(meanwhile=prepare):\n"
        "        seen['entered'] = True\n"
        "except RuntimeError as exc:\n"
        "    seen['error'] = str(exc)\n"
        "seen['left'] = [p.pid for p in servers() if p.status() != psutil.STATUS_ZOMBIE]\n"
        "seen['database_kept'] = os.path.exists(seen['database'])\n"
        "print(json.dumps(seen))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_") and "DATABASE" not in k}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "spawned": 1,  # the server was already on its way while the command prepared
        "database": seen["database"],
        "error": "preparation failed",
        "left": [],
        "database_kept": False,
    }
