"""Supply chain: `make lint` audits every runtime package (requirements.txt and what it pulls
in, as installed) with pip-audit, fails on a known vulnerability, and says so plainly when
the vulnerability database could not be reached instead of reporting a clean audit."""

import importlib.util
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_the_audit_covers_the_runtime_packages_and_their_dependencies():
    pins = dict(
        line.split("==") for line in audit.runtime_pins(SCRIPT.parent.parent / "requirements.txt")
    )
    assert {"django", "djangorestframework", "django-axes", "celery", "psycopg2-binary"} <= set(
        pins
    )
    # Pulled in by them (celery[redis] → redis, kombu; Django → sqlparse, asgiref).
    assert {"redis", "kombu", "sqlparse", "asgiref"} <= set(pins)
    # Test tools are not shipped and not audited here.
    assert not {"pytest", "hypothesis", "schemathesis", "bandit"} & set(pins)


def test_a_vulnerability_fails_the_audit():
    status, lines = audit.summarize(
        {
            "dependencies": [
                {
                    "name": "django",
                    "version": "5.2.0",
                    "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"]}],
                },
                {"name": "redis", "version": "8.1.0", "vulns": []},
            ]
        }
    )
    assert status == 1
    assert lines[0] == "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)"


def test_a_clean_audit_passes():
    status, lines = audit.summarize(
        {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}
    )
    assert status == 0
    assert lines == ["pip-audit: no known vulnerabilities in 1 runtime packages"]


def test_an_unreachable_database_is_reported_not_passed():
    """What happens on this machine: pypi.org's JSON API answers 404, so pip-audit skips
    every package and on its own would print "No known vulnerabilities found"."""
    report = {
        "dependencies": [
            {"name": name, "skip_reason": f"Dependency not found on PyPI: {name}"}
            for name in ("django", "redis")
        ]
    }
    status, lines = audit.summarize(report)
    assert status == 0  # the build does not fail for a network it does not have …
    assert lines[-1].startswith("pip-audit: NOT CHECKED")  # … and does not claim a pass
    assert "none of the 2 packages was audited" in lines[-1]
