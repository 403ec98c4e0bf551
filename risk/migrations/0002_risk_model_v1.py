"""Risk model version 1 (domain.md §10), active from the start.

The document is copied here, not read from risk/rules/risk_model_v1.json, so that this
migration always creates the same version 1 whatever later happens to that file.
"""

from django.db import migrations

RISK_MODEL_V1 = {
    "bands": {
        "on_time_ratio_24m": [
            {
                "min": "0",
                "points": 30
            },
            {
                "min": "0.5",
                "points": 20
            },
            {
                "min": "0.8",
                "points": 10
            },
            {
                "min": "0.95",
                "points": 0
            }
        ],
        "late_payments_6m": [
            {
                "min": 0,
                "points": 0
            },
            {
                "min": 1,
                "points": 10
            },
            {
                "min": 2,
                "points": 18
            },
            {
                "min": 3,
                "points": 25
            }
        ],
        "max_dpd_12m": [
            {
                "min": 0,
                "points": 0
            },
            {
                "min": 4,
                "points": 5
            },
            {
                "min": 16,
                "points": 10
            },
            {
                "min": 31,
                "points": 15
            }
        ],
        "partial_payments_last_3": [
            {
                "min": 0,
                "points": 0
            },
            {
                "min": 1,
                "points": 8
            },
            {
                "min": 2,
                "points": 15
            }
        ],
        "current_dpd": [
            {
                "min": 0,
                "points": 0
            },
            {
                "min": 1,
                "points": 15
            },
            {
                "min": 4,
                "points": 25
            },
            {
                "min": 16,
                "points": 30
            }
        ],
        "installment_to_usual": [
            {
                "min": "0",
                "points": 0
            },
            {
                "min": "1.2",
                "points": 5
            },
            {
                "min": "1.5",
                "points": 10
            }
        ],
        "prior_help_12m": [
            {
                "min": 0,
                "points": 0
            },
            {
                "min": 1,
                "points": 8
            },
            {
                "min": 2,
                "points": 15
            }
        ],
        "months_on_book": [
            {
                "min": 0,
                "points": 10
            },
            {
                "min": 6,
                "points": 5
            },
            {
                "min": 12,
                "points": 0
            }
        ]
    },
    "levels": {
        "high": 70,
        "medium": 40
    },
    "holdout_percent": 10
}


def create_v1(apps, schema_editor):
    RiskModel = apps.get_model("risk", "RiskModel")
    if not RiskModel.objects.filter(version=1).exists():
        RiskModel.objects.create(
            version=1,
            document=RISK_MODEL_V1,
            status="active",
            note="Default risk model from the domain reference, section 10.",
        )


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(create_v1, migrations.RunPython.noop)]
