"""Known vulnerabilities in what production runs: pip-audit over requirements.txt and
everything it pulls in, at the versions installed in the virtualenv (`make lint`).

Exit 1 when a package has a known vulnerability. When the vulnerability database cannot be
reached (this machine, for one, has no internet beyond the package registries: pypi.org's
JSON API answers 404, so pip-audit "skips" every package and would say "No known
vulnerabilities found"), it says plainly that nothing was checked and exits 0: an audit that
could not run is reported, never passed off as clean, and does not fail the build.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120


def runtime_pins(requirements: Path) -> list[str]:
    """`name==version` for each package of `requirements` and its dependencies (with the
    extras asked for), as installed here; so pip-audit need not resolve anything again."""
    pending = [
        Requirement(line.split("#")[0].strip())
        for line in requirements.read_text().splitlines()
        if line.split("#")[0].strip() and not line.startswith("-")
    ]
    pins: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        requirement = pending.pop()
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # not for this platform or Python (its marker said so)
        pins[name] = distribution.version
        for text in distribution.requires or []:
            dependency = Requirement(text)
            environments = [{"extra": extra} for extra in requirement.extras] or [{"extra": ""}]
            if dependency.marker is None or any(
                dependency.marker.evaluate(environment) for environment in environments
            ):
                pending.append(dependency)
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def summarize(report: dict) -> tuple[int, list[str]]:
    """The exit status and the lines to print for pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} "
                f"(fixed in {fixed})"
            )
    if dependencies and not audited:
        lines.append(
            f"pip-audit: NOT CHECKED - the vulnerability database could not be reached, so none "
            f"of the {len(dependencies)} packages was audited (e.g. {skipped[0]['skip_reason']}). "
            "Run `make lint` where pypi.org is reachable."
        )
        return 0, lines
    if skipped:
        names = ", ".join(d["name"] for d in skipped)
        lines.append(f"pip-audit: {len(skipped)} packages could not be audited: {names}")
    if vulnerable:
        return 1, lines
    lines.append(f"pip-audit: no known vulnerabilities in {len(audited)} runtime packages")
    return 0, lines


def main() -> int:
    pins = runtime_pins(ROOT / "requirements.txt")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as pinned:
        pinned.write("\n".join(pins) + "\n")
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "--requirement",
        pinned.name,
        "--no-deps",  # the list is complete: every dependency is pinned in it
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        print(f"pip-audit: NOT CHECKED - no answer from the vulnerability database in {TIMEOUT} s")
        return 0
    finally:
        Path(pinned.name).unlink(missing_ok=True)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        if any(word in result.stderr for word in ("ConnectionError", "NameResolution", "timed")):
            print(f"pip-audit: NOT CHECKED - the vulnerability database is unreachable ({last})")
            return 0
        print(f"pip-audit failed: {last}", file=sys.stderr)
        return 2
    status, lines = summarize(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
