"""`make audit`: pip-audit on the dependencies installed in the virtual environment (the versions
pyproject.toml's ranges resolved to; the project pins no lock file), not part of `make test`, so
that an advisory published tomorrow does not break every build.

pip-audit asks a vulnerability service about each installed release: PyPI's JSON API
(`/pypi/<name>/<version>/json`, its `vulnerabilities`) or OSV (`api.osv.dev`). Before it runs,
one release that certainly exists (the installed Django) is looked up on each; when neither
answers, the audit says so and exits 2, so that "could not look" never reads as "nothing found".

Exit status: 0 no known vulnerability; 1 pip-audit found some (or failed); 2 no service reachable.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404  # runs pip-audit, a fixed command
import sys
import urllib.error
import urllib.request
from importlib.metadata import version

PROBE_PACKAGE = "Django"
TIMEOUT_SECONDS = 15
# pip-audit's names for the services, and how to ask each about one release.
SERVICES = ("pypi", "osv")


def _request(service: str, name: str, release: str) -> urllib.request.Request:
    if service == "pypi":
        return urllib.request.Request(f"https://pypi.org/pypi/{name}/{release}/json")
    query = {"package": {"name": name, "ecosystem": "PyPI"}, "version": release}
    return urllib.request.Request(
        "https://api.osv.dev/v1/query",
        data=json.dumps(query).encode(),
        headers={"Content-Type": "application/json"},
    )


def service_answers(service: str, name: str, release: str) -> str | None:
    """None if `service` answers about `name` `release`; otherwise why not."""
    try:
        request = _request(service, name, release)
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310  # https
            body = json.load(response)
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return str(getattr(error, "reason", error))
    except ValueError:
        return "not a JSON answer"
    if service == "pypi" and "vulnerabilities" not in body:
        return "no `vulnerabilities` in the answer"
    return None


def main() -> int:
    release = version(PROBE_PACKAGE)
    refusals = {}
    for service in SERVICES:
        refusal = service_answers(service, PROBE_PACKAGE, release)
        if refusal is None:
            command = [sys.executable, "-m", "pip_audit", "--skip-editable", "--desc", "on", "-s", service]
            print(f"make audit: asking {service} about every installed release", flush=True)
            return subprocess.call(command)  # noqa: S603  # nosec B603  # fixed arguments, no shell
        refusals[service] = refusal
    print("make audit: NOT AUDITED. No vulnerability service answered from this machine:")
    for service, refusal in refusals.items():
        print(f"  {service}: asked about {PROBE_PACKAGE} {release}: {refusal}")
    print("Run `make audit` where pypi.org's JSON API or api.osv.dev is reachable (see README).")
    return 2


if __name__ == "__main__":
    sys.exit(main())
