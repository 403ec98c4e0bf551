"""Settings of the server under load in bench.bench_pages: the product's, plus one URL.

The benchmark's baseline is a minimal view on the same server (bench.urls); it is never part
of the product's URLs.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
# collectstatic for the benchmark's server writes here, not into the project's STATIC_ROOT.
STATIC_ROOT = BASE_DIR / "var" / "bench" / "staticfiles"
