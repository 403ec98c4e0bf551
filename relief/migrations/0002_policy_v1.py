"""Relief policy version 1 (domain.md §6), active from the start.

The document is copied here, not read from relief/policy_v1.json, so that this migration
always creates the same version 1 whatever later happens to that file.
"""

from django.db import migrations

POLICY_V1 = {
    "dpd_bands": [
        {"code": "grace", "min": 1, "max": 3, "points": 100},
        {"code": "M1", "min": 4, "max": 30, "points": 50},
        {"code": "M2_M3", "min": 31, "max": 90, "points": 40},
        {"code": "M4", "min": 91, "max": 180, "points": 30},
        {"code": "M4_late", "min": 181, "max": None, "points": 20},
    ],
    "history_tiers": [
        {"min_on_time_ratio": "0.95", "points": 20},
        {"min_on_time_ratio": "0.80", "points": 10},
        {"min_on_time_ratio": "0.50", "points": 0},
        {"min_on_time_ratio": "0", "points": -20},
    ],
    "prior_relief_points": -15,
    "hardship_points": {
        "serious_illness": 20,
        "accident": 20,
        "natural_disaster": 25,
        "unemployment": 10,
        "family_emergency": 10,
        "income_drop": 5,
        "other": 0,
    },
    "evidence_points": 10,
    "cap_without_evidence": 90,
    "cap_with_evidence": 100,
    "eligibility": {"max_prior_reliefs_12m": 1},
    "auto_approval": {
        "max_amount": "500.00",
        "max_prior_reliefs_12m": 0,
        "max_dpd_any_percent": 3,
        "max_percent_otherwise": 50,
    },
    "four_eyes": {"amount_over": "5000.00", "points_over_suggestion": 20},
    "service_levels": {"decision_hours": 48, "offer_valid_days": 15},
}


def create_v1(apps, schema_editor):
    ReliefPolicy = apps.get_model("relief", "ReliefPolicy")
    if not ReliefPolicy.objects.filter(version=1).exists():
        ReliefPolicy.objects.create(
            version=1,
            document=POLICY_V1,
            status="active",
            note="Default policy from the domain reference, section 6.",
        )


class Migration(migrations.Migration):
    dependencies = [("relief", "0001_initial")]

    operations = [migrations.RunPython(create_v1, migrations.RunPython.noop)]
