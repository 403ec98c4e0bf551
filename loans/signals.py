"""Signals loans sends for the apps above it, which loans knows nothing of."""

from django.dispatch import Signal

# The demo data is loaded (`loans.demo.Seeder.run`), with `today` and `log` (a function
# taking a line of progress): apps above loans add theirs (the day's early-warning scores).
demo_seeded = Signal()
