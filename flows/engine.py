"""The Prefect API a run talks to: the operator's server, or one temporary local API.

Why explicit: with no ``PREFECT_API_URL``, Prefect starts a temporary server per
process, so every process-pool worker would start its own (seconds each) and runs would
be split across databases. ``ogi`` starts one for the whole command and exports its URL,
so workers and subprocesses inherit it; with ``PREFECT_API_URL`` set (``prefect server
start``, Prefect Cloud) runs go there and show in its UI.

The temporary server is started through :mod:`flows.processes`, so it dies with the
``ogi`` process even when that is SIGKILLed (Prefect's own start leaves it running), and
run logs are not shipped to it: it is thrown away after the command, and shipping to a
server that is stopping printed "Error logging to API" after failed runs (the events still
queued are sent before it stops, for the same reason).

Its database is thrown away too: each command's server works on a fresh copy of an empty,
migrated database with Prefect's block types registered, made once per Prefect version (and
set of installed collections) under Prefect's home. Prefect's default
(``~/.prefect/prefect.db``) kept every run of every command and grew without end (59 MB
after a few days of benchmarks; nothing vacuums it in ephemeral mode), and migrating a new
database takes seconds (14 s here), so neither a shared database nor a new one per command will do.
ogi's own run records (``runs/``) are what ``ogi status`` reads.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import sys
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Callable, Iterator

from flows import processes
from flows.settings import configure_prefect

_DATABASE_URL = "PREFECT_SERVER_DATABASE_CONNECTION_URL"
log = logging.getLogger("ogi")


# What the temporary server would otherwise do at each start (about a second, importing every Prefect collection):
# register the block types, here once into the template, as Prefect's own start does it
_REGISTER_BLOCKS = """
import asyncio
from prefect.server.database import provide_database_interface
from prefect.server.models.block_registration import run_block_auto_registration

async def main():
    session = await provide_database_interface().session()
    async with session:
        await run_block_auto_registration(session=session)
        await session.commit()

asyncio.run(main())
"""
# the temporary server's start with the block types already in its database: nothing registered, no collection loaded
_REGISTERED = {
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
}


def _template_name() -> str:
    """The template's file name: Prefect's version and the installed collections, whose block types it holds."""
    from importlib.metadata import entry_points

    import prefect

    found = sorted(
        f"{ep.name}={ep.dist.version if ep.dist else '?'}" for ep in entry_points(group="prefect.collections")
    )
    return f"ogi-empty-{prefect.__version__}-{hashlib.sha256(repr(found).encode()).hexdigest()[:12]}.db"


def _empty_database() -> Path:
    """A migrated Prefect database with its block types registered and no run, for this Prefect and its installed
    collections (made once: the migrations take seconds); older templates are removed."""
    from prefect.settings import get_current_settings

    home = Path(get_current_settings().home)
    template = home / _template_name()
    if template.is_file():
        return template
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home, prefix=".ogi-empty-") as tmp:
        migrated, single = Path(tmp) / "prefect.db", Path(tmp) / "single.db"
        env = {**os.environ, _DATABASE_URL: f"sqlite+aiosqlite:///{migrated}"}
        for step in (["-m", "prefect", "server", "database", "upgrade", "-y"], ["-c", _REGISTER_BLOCKS]):
            done = processes.run([sys.executable, *step], env=env, timeout=600)
            if done.returncode != 0:
                raise RuntimeError(f"preparing Prefect's database failed: {(done.stderr or done.stdout)[-500:]}")
        with closing(sqlite3.connect(migrated)) as source, closing(sqlite3.connect(single)) as copy:
            source.backup(copy)  # one self-contained file: the migrations leave a write-ahead log beside theirs
        os.replace(single, template)  # atomic: a command starting beside this one sees all of it or none
    for old in home.glob("ogi-empty-*.db"):
        if old != template:
            old.unlink(missing_ok=True)
    return template


def sweep_left_behind() -> None:
    """Delete the databases of commands that were killed (SIGKILL runs no cleanup): their process is gone."""
    for found in Path(tempfile.gettempdir()).glob("ogi-prefect-*-*"):
        pid = found.name.split("-")[2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(found, ignore_errors=True)
        except PermissionError:  # alive, someone else's
            pass


def _throwaway_database() -> Path | None:
    """A private copy of the empty database in a new temporary directory; None when the operator chose a database
    (``PREFECT_SERVER_DATABASE_CONNECTION_URL``) or the empty one cannot be made (Prefect's default is used then)."""
    if os.environ.get(_DATABASE_URL) or os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL"):
        return None
    sweep_left_behind()
    try:
        template = _empty_database()
        database = Path(tempfile.mkdtemp(prefix=f"ogi-prefect-{os.getpid()}-")) / "prefect.db"
        shutil.copyfile(template, database)
    except (OSError, RuntimeError, sqlite3.Error) as exc:
        log.warning("Prefect's own database is used (%s)", exc)
        return None
    return database


def _temporary_server():
    """Prefect's ``SubprocessASGIServer`` with its uvicorn child started by :func:`flows.processes.popen`."""
    import prefect
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import get_current_settings

    class TemporaryServer(SubprocessASGIServer):
        _instances: dict = {}  # not shared with Prefect's own instances (it keeps one per port)
        registered: dict[str, str] | None = None  # set when its database already holds the block types
        launched = None  # the server process spawned by launch(), which start() then waits for

        def launch(self) -> None:
            """Spawn the server now, from this thread (its die-with-parent signal follows the thread that spawned
            it), so the command can prepare while it starts; ``start()`` then only waits for it to answer."""
            if self.port is None:
                self.port = self.find_available_port()
            self.launched = self._spawn()

        def _run_uvicorn_command(self):
            launched, self.launched = self.launched, None
            return launched or self._spawn()  # again when the port was taken meanwhile (Prefect retries)

        def _spawn(self):
            # the command and environment of SubprocessASGIServer._run_uvicorn_command (Prefect 3)
            cmd = [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(prefect.__module_path__.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ]
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
                **(self.registered or {}),
            }
            return processes.popen(cmd, env=env)

    return TemporaryServer()


@contextmanager
def no_heartbeats() -> Iterator[None]:
    """Flow runs without heartbeats, for a temporary API: they let a lasting server mark a crashed run, but this one
    dies with the command and nothing reads them; and stopping their thread holds every flow's end up to a second
    (it sleeps in whole seconds), a third of a nightly run with nothing new."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


def temporary_api() -> bool:
    """Whether a command would start a temporary API (no ``PREFECT_API_URL`` names a server)."""
    return not os.environ.get("PREFECT_API_URL")


@contextmanager
def prefect_api(timeout: int = 60, meanwhile: Callable[[], object] | None = None) -> Iterator[str]:
    """Yield the API URL in use for the duration of one ogi command. ``meanwhile``: the command's own preparation
    (its imports: a second and a half for the flows), done while a temporary server starts (seconds of its own
    imports, on another core)."""
    configure_prefect()
    if not temporary_api():
        if meanwhile is not None:
            meanwhile()
        yield os.environ["PREFECT_API_URL"]
        return
    os.environ["PREFECT_LOGGING_TO_API_ENABLED"] = "false"
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_LOGGING_TO_API_ENABLED, temporary_settings

    database = _throwaway_database()
    if database is not None:
        os.environ[_DATABASE_URL] = f"sqlite+aiosqlite:///{database}"
    server = _temporary_server()
    server.registered = _REGISTERED if database is not None else None
    try:
        server.launch()
        if meanwhile is not None:
            meanwhile()
        server.start(timeout=timeout)
    except BaseException:
        if server.launched is not None:  # spawned, never waited for
            processes.kill_group(server.launched)
        server.stop()
        _forget(database)
        raise
    os.environ["PREFECT_API_URL"] = server.api_url
    # Prefect's own code (events and logging clients) asks SubprocessASGIServer() for "the" ephemeral server;
    # unregistered, it would start a second one without our die-with-parent guard (as prefect_test_harness does)
    previous = SubprocessASGIServer._instances.get(None)
    SubprocessASGIServer._instances[None] = server
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_LOGGING_TO_API_ENABLED: False}):
            with no_heartbeats():
                yield server.api_url
    finally:
        from prefect.events.worker import EventsWorker

        EventsWorker.drain_all(timeout=10, at_exit=False)  # before the server goes, not at exit against a dead one
        os.environ.pop("PREFECT_API_URL", None)
        os.environ.pop("PREFECT_LOGGING_TO_API_ENABLED", None)
        if previous is None:
            SubprocessASGIServer._instances.pop(None, None)
        else:
            SubprocessASGIServer._instances[None] = previous
        server.stop()
        _forget(database)


def _forget(database: Path | None) -> None:
    if database is not None:
        os.environ.pop(_DATABASE_URL, None)
        shutil.rmtree(database.parent, ignore_errors=True)
