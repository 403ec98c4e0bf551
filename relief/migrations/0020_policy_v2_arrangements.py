"""Relief policy version 2: version 1 with repayment arrangements (domain.md §9).

Version 1 is left as it was: the cases scored under it keep it. What happens next depends on
what the lender has done with its policies (docs/arrangements.md, "Policy version 2"):

- Version 1 is the only version, active and as shipped (a new installation, or a lender who
  never changed the policy): version 2 is created and becomes the active policy, version 1 is
  retired, and a policy event records it.
- Otherwise the lender has its own policy (an edited version 1, later versions, or drafts):
  its active policy is not replaced behind its policy admins' backs. A draft with the next
  version number is created from the active document with the arrangements section added,
  for them to check, simulate and activate (four eyes) like any other version. Until then
  no arrangement is offered.

The documents are copied here, not read from relief/rules/policy_v2.json, so that this
migration always creates the same version 2 whatever later happens to that file.
"""

import copy
import importlib

from django.db import migrations
from django.db.models import Max
from django.utils import timezone

ARRANGEMENTS = {
    "deferral": {"months": [1, 2, 3], "interest_discount_percent": 0},
    "plan": {"periods": [3, 6, 12, 24, 36, 60], "annual_rate": "0", "break_after_days": 30},
    "affordability": {"max_share": "0.50"},
    "eligibility": {
        "plan_min_overdue": "500.00",
        "plan_min_dpd": 1,
        "deferral_max_dpd": 90,
        "months_between_deferrals": 12,
        "months_after_broken_plan": 12,
    },
    "auto_approval": {
        "max_plan_periods": 12,
        "max_deferral_months": 1,
        "max_amount": "5000.00",
        "max_arrangements_12m": 0,
    },
    "four_eyes": {"amount_over": "50000.00", "plan_periods_over": 36},
    "observation_months": 12,
}

ACTIVATED_NOTE = (
    "Version 1 with repayment arrangements (domain.md section 9), activated by the upgrade: "
    "version 1 was active as shipped."
)
DRAFT_NOTE = (
    "The active v%(version)s with repayment arrangements (domain.md section 9) added by the "
    "upgrade. Check, simulate and activate it to offer deferrals and instalment plans."
)
# The active policy as cached by relief.selectors (ACTIVE_POLICY_KEY).
ACTIVE_POLICY_KEY = "relief:active-policy"


def policy_v1_document():
    return importlib.import_module("relief.migrations.0002_policy_v1").POLICY_V1


def policy_v2_document():
    return {**copy.deepcopy(policy_v1_document()), "arrangements": copy.deepcopy(ARRANGEMENTS)}


def create_v2(apps, schema_editor):
    ReliefPolicy = apps.get_model("relief", "ReliefPolicy")
    PolicyEvent = apps.get_model("relief", "PolicyEvent")
    if ReliefPolicy.objects.filter(document__has_key="arrangements").exists():
        return  # already there (run again, or the lender wrote one)
    policies = list(ReliefPolicy.objects.all())
    if not policies:
        return
    active = next((p for p in policies if p.status == "active"), None)
    last = ReliefPolicy.objects.aggregate(last=Max("version"))["last"]
    as_shipped = (
        len(policies) == 1
        and active is not None
        and active.version == 1
        and active.document == policy_v1_document()
    )
    if as_shipped:
        ReliefPolicy.objects.filter(pk=active.pk).update(status="retired")
        v2 = ReliefPolicy.objects.create(
            version=2,
            document=policy_v2_document(),
            status="active",
            note=ACTIVATED_NOTE,
            activated_at=timezone.now(),
        )
        PolicyEvent.objects.create(policy=v2, action="activated", note=ACTIVATED_NOTE)
    else:
        base = active or max(policies, key=lambda p: p.version)
        ReliefPolicy.objects.create(
            version=last + 1,
            document={**copy.deepcopy(base.document), "arrangements": copy.deepcopy(ARRANGEMENTS)},
            status="draft",
            note=DRAFT_NOTE % {"version": base.version},
        )
    forget_cached_policy()


def forget_cached_policy():
    """Web processes read the active policy from the shared cache: forget it now (else it is
    re-read within a minute anyway)."""
    from django.core.cache import cache

    try:
        cache.delete(ACTIVE_POLICY_KEY)
    except Exception:  # the cache may be away during an upgrade; it expires on its own
        pass


class Migration(migrations.Migration):
    dependencies = [("relief", "0019_reported_columns_index")]

    operations = [migrations.RunPython(create_v2, migrations.RunPython.noop)]
