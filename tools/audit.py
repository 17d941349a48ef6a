#!/usr/bin/env python3
"""Known vulnerabilities in HọcSố's pinned dependencies: pip-audit over the hashed requirements files.

pip-audit alone can print "No known vulnerabilities found" when it looked nothing up (every package
skipped because the database answered "not found"), and exits 1 both for vulnerabilities and for a
network error. This wrapper tells the outcomes apart:

  0  no known vulnerabilities: every pinned package was looked up
  1  vulnerabilities found: each is listed, with the versions that fix it
  3  NOT AUDITED: the vulnerability database could not be reached (or answered for none or only
     some of the packages); nothing is claimed about vulnerabilities
  2  NOT AUDITED: pip-audit itself failed for another reason (not installed, unreadable file, ...)

Usage: python tools/audit.py [extra pip-audit arguments, e.g. -s osv]
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# requirements-dev.txt holds every runtime pin too; both are named so neither can be left out.
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt"]

OK, VULNERABLE, FAILED, UNREACHABLE = 0, 1, 2, 3

# What a failure to reach the database looks like in pip-audit's traceback (requests, urllib3, ssl).
NETWORK_ERROR = re.compile(
    r"ConnectionError|ProxyError|ConnectTimeout|ReadTimeout|Timeout|SSLError|MaxRetryError|"
    r"NewConnectionError|NameResolutionError|Max retries exceeded|Name or service not known|"
    r"Temporary failure in name resolution|Network is unreachable|Connection refused|"
    r"ServiceError|HTTPError|\b5\d\d Server Error"
)


def not_audited(reason: str, code: int) -> int:
    what = "could not reach the vulnerability database" if code == UNREACHABLE else "pip-audit could not run"
    print(f"NOT AUDITED: {what} ({reason}).")
    print("Nothing is known about vulnerabilities in the pinned dependencies: this is not a clean audit.")
    return code


def last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:400] if lines else "no output"


def main(extra: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--require-hashes"]
        for name in REQUIREMENTS:
            command += ["-r", str(ROOT / name)]
        command += ["--format", "json", "--progress-spinner", "off", "--output", str(report), *extra]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        except OSError as error:
            return not_audited(str(error), FAILED)
        if not report.exists() or not report.read_text().strip():
            reason = last_line(done.stderr or done.stdout)
            if "No module named pip_audit" in done.stderr:
                return not_audited("pip-audit is not installed: run `make setup`", FAILED)
            if NETWORK_ERROR.search(done.stderr):
                return not_audited(reason, UNREACHABLE)
            sys.stderr.write(done.stderr)
            return not_audited(f"pip-audit exited {done.returncode}: {reason}", FAILED)
        result = json.loads(report.read_text())

    dependencies = result.get("dependencies", [])
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    checked = [dep for dep in dependencies if not dep.get("skip_reason")]
    vulnerable = [dep for dep in checked if dep.get("vulns")]

    if vulnerable:
        count = sum(len(dep["vulns"]) for dep in vulnerable)
        print(f"VULNERABLE: {count} known vulnerabilities in {len(vulnerable)} pinned packages:")
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
                aliases = ", ".join(vuln.get("aliases") or [])
                aliases = f" ({aliases})" if aliases else ""
                print(f"  {dep['name']}=={dep['version']}: {vuln['id']}{aliases}; fixed in: {fixed}")
        if skipped:
            print(f"Also NOT AUDITED: {len(skipped)} packages could not be looked up: {_names(skipped)}")
        print("Update the pins in requirements*.in, run `make lock`, then `make audit` again.")
        return VULNERABLE

    if not dependencies:
        return not_audited("pip-audit reported no packages at all", FAILED)
    if skipped:
        first = skipped[0]["skip_reason"]
        return not_audited(
            f"no answer for {len(skipped)} of {len(dependencies)} packages, e.g. {first!r}; "
            f"not looked up: {_names(skipped)}",
            UNREACHABLE,
        )
    print(f"No known vulnerabilities in the {len(checked)} pinned packages (all looked up).")
    return OK


def _names(deps: list[dict]) -> str:
    names = [dep["name"] for dep in deps]
    return ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
