"""The deploy files stay in step with the code (no database needed).

- every environment variable the production settings read is in ``deploy/hocso.env.example``, and
  the template names nothing they do not read (but for an allow-list, below);
- every ``manage.py <command>`` in ``docs/deploy.md`` and ``deploy/`` exists, and the systemd units
  call theirs with options the command accepts, and gunicorn accepts hocso-web's;
- the worker units cover exactly the task queues of the settings.
"""

import ast
import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

from ops import schedule

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_DIR = ROOT / "lms" / "settings"
# What production loads: base.py through production.py, and their helpers. dev.py and test.py are
# other environments (dev's ALLOW_REMOTE_DATABASE_IN_DEV is not a production variable).
PRODUCTION_SETTINGS = sorted(path for path in SETTINGS_DIR.glob("*.py") if path.stem not in {"dev", "test"})
ENV_EXAMPLE = ROOT / "deploy" / "hocso.env.example"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"
DEPLOY_FILES = sorted(path for path in (ROOT / "deploy").rglob("*") if path.is_file())
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))

# The readers of lms/settings/env.py whose first argument is the variable's name.
READERS = {
    "env_str",
    "env_int",
    "env_float",
    "env_bool",
    "env_list",
    "env_choice",
    "env_path",
    "env_rate",
    "env_cache",
    "env_database",
    "shared_cache",
    "site_url",
}

# In the template although no settings module reads them (yet).
NOT_READ_BY_SETTINGS = {
    # Read by manage.py and Django before any settings module: manage.py defaults to development.
    "DJANGO_SETTINGS_MODULE",
}

# Production refuses to start without these: the template has them uncommented.
REQUIRED = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "SITE_URL"}
REQUIRED |= {"CERTIFICATE_SIGNING_KEYS", "TRUSTED_PROXY_COUNT", "ALLOWED_HOSTS"}

# A variable line of the template: NAME=… or, for an optional one, #NAME=… (no space after #).
TEMPLATE_LINE = re.compile(r"^(#?)([A-Z][A-Z0-9_]*)=")
MANAGE_COMMAND = re.compile(r"(?:manage\.py|hocso-manage)\s+([a-z_][a-z0-9_]*)")


def _reader_name(call: ast.Call) -> str | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name if name in READERS and call.args else None


def _expand_fstring(tree: ast.Module, call: ast.Call, template: ast.JoinedStr) -> set[str]:
    """Names of a reader called with an f-string inside a comprehension over a module-level dict,
    as ``env_rate(f"RATE_LIMIT_{scope.upper()}", …) for scope, … in _RATE_LIMITS.items()``."""
    for comprehension in ast.walk(tree):
        if not isinstance(comprehension, ast.DictComp | ast.ListComp | ast.SetComp | ast.GeneratorExp):
            continue
        if not any(node is call for node in ast.walk(comprehension)):
            continue
        generator = comprehension.generators[0]
        source = generator.iter
        if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
            source = source.func.value  # NAME.items() / NAME.keys()
        target = generator.target
        variable = (target.elts[0] if isinstance(target, ast.Tuple) else target).id
        table = next(
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == source.id for t in node.targets)
        )
        names = set()
        for key in ast.literal_eval(table):
            text = ""
            for part in template.values:
                if isinstance(part, ast.Constant):
                    text += part.value
                elif ast.unparse(part.value) == f"{variable}.upper()":
                    text += key.upper()
                elif ast.unparse(part.value) == variable:
                    text += key
                else:
                    raise AssertionError(f"Teach this test to read {ast.unparse(template)}")
            names.add(text)
        return names
    raise AssertionError(f"Teach this test to read {ast.unparse(template)}: not in a comprehension")


def settings_variables() -> set[str]:
    names = set()
    for path in PRODUCTION_SETTINGS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or not _reader_name(call):
                continue
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
            elif isinstance(first, ast.JoinedStr):
                names |= _expand_fstring(tree, call, first)
            elif path.name != "env.py":  # the readers themselves pass `name` along
                raise AssertionError(f"{path.name}: a name this test cannot read: {ast.unparse(first)}")
    return names


def template_variables() -> dict[str, bool]:
    """Each variable of the template and whether it is set (uncommented)."""
    found: dict[str, bool] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = TEMPLATE_LINE.match(line)
        if match:
            assert match.group(2) not in found, f"{match.group(2)} is twice in {ENV_EXAMPLE.name}"
            found[match.group(2)] = not match.group(1)
    return found


def test_settings_variables_are_found():
    names = settings_variables()
    # A sample of each kind of reader, so that a broken parser cannot pass the tests below by
    # finding nothing.
    assert {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "SITE_URL", "RATE_LIMIT_VERIFY"} <= names
    assert {"SENTRY_DSN", "CERTIFICATE_FILE_SERVING", "TRUSTED_PROXY_COUNT", "MEDIA_ROOT"} <= names


def test_every_variable_production_reads_is_in_the_template():
    missing = settings_variables() - set(template_variables())
    assert not missing, f"Add to deploy/hocso.env.example (and README 'Settings'): {sorted(missing)}"


def test_the_template_names_only_variables_something_reads():
    unknown = set(template_variables()) - settings_variables() - NOT_READ_BY_SETTINGS
    assert not unknown, f"deploy/hocso.env.example names variables nothing reads: {sorted(unknown)}"


def test_required_variables_are_set_in_the_template():
    template = template_variables()
    assert {name for name in REQUIRED if not template.get(name)} == set()


def _mentioned_commands(path: Path) -> set[str]:
    return set(MANAGE_COMMAND.findall(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", [DEPLOY_DOC, *DEPLOY_FILES], ids=lambda path: str(path.relative_to(ROOT)))
def test_mentioned_manage_py_commands_exist(path):
    unknown = _mentioned_commands(path) - set(get_commands())
    assert not unknown, f"{path.relative_to(ROOT)} names commands manage.py lacks: {sorted(unknown)}"


def test_the_documents_mention_the_commands_they_need():
    mentioned = _mentioned_commands(DEPLOY_DOC).union(*map(_mentioned_commands, DEPLOY_FILES))
    needed = {"migrate", "collectstatic", "check", "createsuperuser", "generate_signing_key"}
    needed |= {"db_worker", "run_scheduler", "resign_certificates", "verify_certificate"}
    assert needed <= mentioned


def test_scheduler_jobs_in_the_doc_exist():
    text = DEPLOY_DOC.read_text(encoding="utf-8")
    assert set(re.findall(r"--job[ =]([a-z_]+)", text)) <= set(schedule.JOBS_BY_NAME)
    # The table of "The scheduler's jobs" lists every job, and only those.
    section = text.split("## The scheduler's jobs", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)) == set(schedule.JOBS_BY_NAME)


def _unit_commands(unit: Path) -> list[list[str]]:
    """The manage.py command lines of a unit's Exec*= settings, %i as a queue name."""
    text = unit.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = []
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.startswith("Exec") and "manage.py" in value:
            words = shlex.split(value.replace("%i", settings.TASK_QUEUES[0]))
            lines.append(words[words.index("manage.py") + 1 :])
    return lines


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_units_run_existing_commands_with_accepted_options(unit, database_tasks):
    """With production's task backend: db_worker's options accept only a database backend."""
    commands = get_commands()
    for name, *arguments in _unit_commands(unit):
        assert name in commands, f"{unit.name} runs manage.py {name}, which does not exist"
        parser = load_command_class(commands[name], name).create_parser("manage.py", name)
        parser.parse_args(arguments)  # exits (SystemExit) on an option the command does not take


def test_units_that_run_manage_py():
    ran = {unit.name: [words[0] for words in _unit_commands(unit)] for unit in UNITS}
    assert ran["hocso-worker@.service"] == ["db_worker"]
    assert ran["hocso-scheduler.service"] == ["run_scheduler"]
    assert ran["hocso-migrate.service"] == ["migrate"]


def test_workers_cover_exactly_the_task_queues():
    """docs/deploy.md starts one hocso-worker@<queue> for each queue of TASK_QUEUES, and no other."""
    started = set(re.findall(r"hocso-worker@([a-z_]+)", DEPLOY_DOC.read_text(encoding="utf-8")))
    assert started == set(settings.TASK_QUEUES)


def test_web_unit_runs_gunicorn_with_options_it_accepts():
    """hocso-web's ExecStart, its ${VARIABLES} replaced by the unit's Environment= defaults."""
    from gunicorn.config import Config

    text = (ROOT / "deploy" / "systemd" / "hocso-web.service").read_text(encoding="utf-8")
    text = text.replace("\\\n", " ")
    defaults = dict(re.findall(r"^Environment=([A-Z_]+)=(\S*)$", text, flags=re.M))
    command = next(line.partition("=")[2] for line in text.splitlines() if line.startswith("ExecStart="))
    command = re.sub(r"\$\{([A-Z_]+)\}", lambda match: defaults[match.group(1)], command)
    words = shlex.split(command)
    assert words[0].endswith("/.venv/bin/gunicorn")
    options = Config().parser().parse_args(words[1:])  # exits (SystemExit) on an unknown option
    assert options.args == ["lms.wsgi:application"]
    assert (options.worker_class, options.workers, options.threads) == ("gthread", 5, 2)
