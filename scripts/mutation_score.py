"""Fail `make mutation` when the mutation score of the money modules drops below the bar.

Reads the counts `mutmut export-cicd-stats` wrote. The score counts every mutant, the
equivalent ones (docs/mutation.md) included, so it is a floor, not a flattering figure.
"""

import json
import sys
from pathlib import Path

MINIMUM_SCORE = 0.97


def main() -> int:
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text(encoding="utf-8"))
    total, killed = stats["total"], stats["killed"]
    not_killed = {key: stats[key] for key in ("survived", "no_tests", "timeout", "suspicious")}
    score = killed / total if total else 0.0
    print(
        f"mutation score {score:.1%}: {killed} of {total} mutants killed; "
        + ", ".join(f"{key} {value}" for key, value in not_killed.items())
    )
    if score < MINIMUM_SCORE:
        print(
            f"below {MINIMUM_SCORE:.0%}: see `.venv/bin/mutmut results` and docs/mutation.md",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
