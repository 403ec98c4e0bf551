"""The upgrade to policy version 2 (relief migration 0016): version 1 stays as it was; version
2 becomes active only where version 1 was active as shipped; a lender with its own policy gets
a draft to check and activate."""

import copy
import importlib

import pytest
from django.apps import apps

from relief.models import PolicyEvent, ReliefApplication, ReliefPolicy
from relief.rules import DEFAULT_POLICY_DOCUMENT, POLICY_V2_DOCUMENT, parse_policy

pytestmark = pytest.mark.django_db

migration = importlib.import_module("relief.migrations.0020_policy_v2_arrangements")


@pytest.fixture
def only_v1():
    """The policies as they were before the upgrade: version 1 as shipped, active."""
    assert not ReliefApplication.objects.exists()
    PolicyEvent.objects.all().delete()
    ReliefPolicy.objects.exclude(version=1).delete()
    ReliefPolicy.objects.filter(version=1).update(status="active", document=DEFAULT_POLICY_DOCUMENT)
    return ReliefPolicy.objects.get(version=1)


def upgrade():
    migration.create_v2(apps, None)


def test_the_migration_ships_the_same_section_as_the_rules():
    assert POLICY_V2_DOCUMENT["arrangements"] == migration.ARRANGEMENTS
    assert migration.policy_v2_document() == POLICY_V2_DOCUMENT


def test_version_1_as_shipped_and_active_is_replaced_by_version_2(only_v1):
    upgrade()

    v1, v2 = ReliefPolicy.objects.order_by("version")
    assert (v1.version, v1.status, v1.document) == (1, "retired", DEFAULT_POLICY_DOCUMENT)
    assert (v2.version, v2.status, v2.document) == (2, "active", POLICY_V2_DOCUMENT)
    assert v2.activated_at is not None
    assert list(PolicyEvent.objects.values_list("policy__version", "action")) == [(2, "activated")]
    assert parse_policy(v2.document).arrangements is not None


def test_running_it_again_changes_nothing(only_v1):
    upgrade()
    upgrade()

    assert ReliefPolicy.objects.count() == 2


def test_an_edited_version_1_is_left_active_and_a_draft_offers_the_arrangements(only_v1):
    edited = copy.deepcopy(DEFAULT_POLICY_DOCUMENT)
    edited["evidence_points"] = 15
    ReliefPolicy.objects.filter(pk=only_v1.pk).update(document=edited)

    upgrade()

    only_v1.refresh_from_db()
    assert only_v1.status == "active"
    assert only_v1.document == edited
    draft = ReliefPolicy.objects.get(version=2)
    assert draft.status == "draft"
    assert draft.document == {**edited, "arrangements": POLICY_V2_DOCUMENT["arrangements"]}
    assert "v1" in draft.note
    assert not PolicyEvent.objects.exists()


def test_a_lender_with_later_versions_gets_a_draft_of_its_active_one(only_v1):
    own = copy.deepcopy(DEFAULT_POLICY_DOCUMENT)
    own["cap_without_evidence"] = 80
    ReliefPolicy.objects.filter(pk=only_v1.pk).update(status="retired")
    ReliefPolicy.objects.create(version=2, document=own, status="active")
    ReliefPolicy.objects.create(version=3, document=DEFAULT_POLICY_DOCUMENT, status="draft")

    upgrade()

    assert ReliefPolicy.objects.get(status="active").version == 2
    draft = ReliefPolicy.objects.get(version=4)
    assert draft.status == "draft"
    assert draft.document["cap_without_evidence"] == 80
    assert draft.document["arrangements"] == POLICY_V2_DOCUMENT["arrangements"]
    assert "v2" in draft.note


def test_a_lender_who_already_wrote_arrangements_gets_nothing_more(only_v1):
    ReliefPolicy.objects.create(version=2, document=POLICY_V2_DOCUMENT, status="draft")

    upgrade()

    assert ReliefPolicy.objects.count() == 2
    assert ReliefPolicy.objects.get(version=1).status == "active"


def test_the_cached_active_policy_is_forgotten(only_v1):
    from django.core.cache import cache

    from relief.selectors import ACTIVE_POLICY_KEY, policy_active

    assert policy_active()[0].version == 1
    upgrade()

    assert cache.get(ACTIVE_POLICY_KEY) is None
    assert policy_active()[0].version == 2
