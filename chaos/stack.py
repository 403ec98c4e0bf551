"""The chaos run's own stack: a redis-server, a fresh PostgreSQL database, gunicorn (2
workers, DEBUG off), a Celery worker (-c 2) and beat, each in a process group of its own on
free ports, and the faults done to them. `Stack.stop` ends all of it and drops the database,
whatever happened before."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("CHAOS_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 0.3).close()
        return True
    except OSError:
        return False


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not happen within {timeout:.0f} s")


class Stack:
    def __init__(self, workdir: Path, *, send_delay: float):
        self.dir = workdir
        self.database = f"relief_chaos_{uuid.uuid4().hex[:10]}"
        self.redis_port = free_port()
        self.web_port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, object] = {}
        self.database_created = False
        self.sends = workdir / "sends.jsonl"
        self.worker_starts = 0
        self.worker_exits: list[str] = []
        self.worker_lock = threading.Lock()
        server = urlsplit(SERVER)
        self.database_url = urlunsplit(server._replace(path=f"/{self.database}"))
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "chaos-only-key-not-a-secret-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "SMS_BACKEND": "chaos.backends.CountingSmsBackend",
            "EMAIL_BACKEND": "chaos.backends.CountingEmailBackend",
            "CHAOS_SENDS": str(self.sends),
            "CHAOS_SEND_DELAY": str(send_delay),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    # --- processes ----------------------------------------------------------------------

    def spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.logs[name] = log
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a process group of its own: killed whole, never ours
        )
        self.processes[name] = process
        return process

    def end(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        process = self.processes.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self) -> None:
        self.redis_start()
        admin = psycopg2.connect(SERVER)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.database}"')
        admin.close()
        self.database_created = True
        self.manage("collectstatic", "--noinput")  # DEBUG off: the checks want the manifest
        self.manage("migrate", "--noinput")
        self.sends.touch()

    def start_services(self) -> None:
        self.spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--workers=2",
                f"--bind=127.0.0.1:{self.web_port}",
                "--timeout=60",
                "--graceful-timeout=5",
            ],
        )
        wait_until(lambda: answers(self.web_port), 60, "gunicorn answering")
        self.worker_start()
        self.spawn(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "beat",
                "--loglevel=WARNING",
                f"--schedule={self.dir / 'beat-schedule'}",
            ],
        )

    def worker_start(self) -> None:
        self.worker_starts += 1
        self.spawn(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--concurrency=2",
                "--loglevel=INFO",
                f"--hostname=chaos{self.worker_starts}@%h",
            ],
        )

    def worker_exited(self) -> int | None:
        process = self.processes.get("worker")
        return None if process is None else process.poll()

    def worker_children(self) -> list[int]:
        process = self.processes.get("worker")
        if process is None:
            return []
        out = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def worker_kill_children(self) -> int:
        """SIGKILL the worker's pool processes (the tasks they run die mid-way); the main
        process starts new ones."""
        killed = 0
        for pid in self.worker_children():
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        return killed

    def worker_kill_all(self) -> None:
        """SIGKILL the whole worker, then start it again, as its supervisor would."""
        with self.worker_lock:
            self.end("worker", signal.SIGKILL)
            self.worker_start()

    def worker_supervise(self) -> None:
        """What `restart: unless-stopped` or systemd's `Restart=always` does: a worker that
        exited on its own is noted and started again."""
        with self.worker_lock:
            code = self.worker_exited()
            if code is not None:
                when = time.strftime("%H:%M:%S", time.gmtime())
                self.worker_exits.append(f"{when} UTC, code {code}")
                self.processes.pop("worker", None)
                self.worker_start()

    def stop(self) -> None:
        for name in ("beat", "worker", "gunicorn"):
            try:
                self.end(name)
            except Exception as error:  # go on stopping the rest
                print(f"chaos: stopping {name}: {error}", file=sys.stderr)
        self.redis_stop()
        for log in self.logs.values():
            log.close()
        if self.database_created:
            admin = psycopg2.connect(SERVER)
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            admin.close()
            self.database_created = False

    # --- faults -------------------------------------------------------------------------

    def redis_start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.spawn(
            "redis",
            [
                binary,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
        )
        wait_until(lambda: answers(self.redis_port), 10, "redis-server answering")

    def redis_stop(self) -> None:
        process = self.processes.get("redis")
        if process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGCONT)  # a frozen one must be able to die
        self.end("redis", signal.SIGKILL)

    def redis_freeze(self) -> None:
        os.killpg(self.processes["redis"].pid, signal.SIGSTOP)

    def redis_thaw(self) -> None:
        os.killpg(self.processes["redis"].pid, signal.SIGCONT)

    def postgres_terminate(self) -> int:
        """pg_terminate_backend on every connection to this run's database."""
        admin = psycopg2.connect(SERVER)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            count = cursor.fetchone()[0]
        admin.close()
        return count
