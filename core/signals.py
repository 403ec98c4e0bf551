"""Signals the apps share without importing each other."""

from django.dispatch import Signal

# Sent by `seed_demo` once its demo data is in (kwargs: `log`, a function taking a line of
# text): apps that keep demo data of their own load it (learn's starter articles). loans,
# which owns the command, knows nothing of them.
demo_data_seeded = Signal()
