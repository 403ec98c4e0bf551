"""Four eyes on the policy: one policy admin requests a draft's activation, a different one
confirms; nobody activates alone, an edit withdraws a pending request, and every step is an
event. The policy page shows the pending request."""

import pytest

from core.errors import ConflictError
from relief.models import PolicyEvent, ReliefPolicy
from relief.services.policies import (
    policy_activate,
    policy_activation_request,
    policy_activation_withdraw,
    policy_draft_update,
)
from tests.relief.helpers import staff_user
from tests.security.conftest import World, page_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_admin(db):
    return staff_user("policy2", "Policy admin")


def status_of(policy) -> str:
    policy.refresh_from_db()
    return policy.status


def test_one_policy_admin_cannot_activate_alone(world: World, people):
    admin = people["policy"]
    with pytest.raises(ConflictError) as refused:
        policy_activate(policy=world.draft, user=admin)
    assert refused.value.code == "activation_not_requested"
    policy_activation_request(policy=world.draft, user=admin)
    with pytest.raises(ConflictError) as refused:
        policy_activate(policy=world.draft, user=admin)
    assert refused.value.code == "same_policy_admin"
    assert "a different policy admin must confirm it" in str(refused.value.message)
    assert status_of(world.draft) == ReliefPolicy.Status.DRAFT


def test_a_second_policy_admin_confirms_and_the_steps_are_recorded(
    world: World, people, second_admin
):
    policy_activation_request(policy=world.draft, user=people["policy"])
    activated = policy_activate(policy=world.draft, user=second_admin)
    assert activated.status == ReliefPolicy.Status.ACTIVE
    assert activated.activated_by == second_admin
    assert status_of(world.policy) == ReliefPolicy.Status.RETIRED
    events = [(e.action, e.actor.username) for e in PolicyEvent.objects.filter(policy=activated)]
    assert events == [("activation_requested", "policy"), ("activated", "policy2")]


def test_an_edit_after_the_request_withdraws_it(world: World, people, second_admin):
    policy_activation_request(policy=world.draft, user=people["policy"])
    policy_draft_update(
        policy=world.draft, document=world.draft.document, note="changed", user=people["policy"]
    )
    with pytest.raises(ConflictError):
        policy_activate(policy=world.draft, user=second_admin)
    actions = list(PolicyEvent.objects.filter(policy=world.draft).values_list("action", flat=True))
    assert actions == ["activation_requested", "activation_withdrawn"]


def test_a_request_can_be_withdrawn(world: World, people, second_admin):
    policy_activation_request(policy=world.draft, user=people["policy"])
    policy_activation_withdraw(policy=world.draft, user=second_admin)
    world.draft.refresh_from_db()
    assert world.draft.activation_requested_by is None


def test_the_admin_page_shows_the_pending_request_and_who_may_confirm(
    world: World, people, second_admin
):
    url = f"/admin/relief/reliefpolicy/{world.draft.pk}/change/"
    activate = f"/admin/relief/reliefpolicy/{world.draft.pk}/activate/"
    requester = page_client(people["policy"])
    requester.post(activate)
    assert status_of(world.draft) == ReliefPolicy.Status.DRAFT
    own_page = requester.get(url).content.decode()
    assert 'id="activation-request"' in own_page
    assert "requested by policy" in own_page
    assert "Confirm the activation" not in own_page
    # The same admin posting again does not activate it.
    requester.post(activate)
    assert status_of(world.draft) == ReliefPolicy.Status.DRAFT

    confirmer = page_client(second_admin)
    page = confirmer.get(url).content.decode()
    assert f"Confirm the activation of v{world.draft.version}" in page
    confirmer.post(activate)
    assert status_of(world.draft) == ReliefPolicy.Status.ACTIVE
