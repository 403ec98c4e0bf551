"""Policy versions: drafts edited as JSON with every problem named by its field, copied from
any version, simulated against past cases, activated by a policy admin only; active and
retired versions never change."""

import copy
import json

import pytest

from core.errors import ConflictError, DomainError
from relief.models import ReliefPolicy
from relief.services.policies import policy_activate, policy_draft_create, policy_draft_update
from tests.relief.helpers import policy_activated, staff_user, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """The assertions read the English texts (Chinese is the default language)."""
    settings.LANGUAGE_CODE = "en"


POLICIES = "/admin/relief/reliefpolicy/"


@pytest.fixture
def policy_admin(db):
    return staff_user("policy", "Policy admin")


@pytest.fixture
def second_policy_admin(db):
    return staff_user("policy2", "Policy admin")


@pytest.fixture
def active():
    return ReliefPolicy.objects.get(status=ReliefPolicy.Status.ACTIVE)


@pytest.fixture
def draft(policy_admin, active):
    return policy_draft_create(based_on=active, document=None, created_by=policy_admin, note="")


def page_of(policy) -> str:
    return f"{POLICIES}{policy.pk}/change/"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- services ---------------------------------------------------------------------------------


def test_a_draft_copies_a_version_with_the_next_number(policy_admin, active):
    first = policy_draft_create(based_on=None, document=None, created_by=policy_admin, note="")
    second = policy_draft_create(based_on=first, document=None, created_by=policy_admin, note="x")
    assert (first.version, second.version) == (active.version + 1, active.version + 2)
    assert first.status == second.status == ReliefPolicy.Status.DRAFT
    assert first.document == active.document
    assert first.note == f"Copy of v{active.version}"
    assert first.created_by == policy_admin


def test_a_draft_with_a_bad_document_is_refused_with_the_fields_named(policy_admin, active):
    document = copy.deepcopy(active.document)
    document["four_eyes"]["amount_over"] = 5000.0
    del document["evidence_points"]
    before = ReliefPolicy.objects.count()
    with pytest.raises(DomainError) as caught:
        policy_draft_create(based_on=None, document=document, created_by=policy_admin, note="")
    assert set(caught.value.fields) == {"four_eyes.amount_over", "evidence_points"}
    assert ReliefPolicy.objects.count() == before


def test_updating_a_draft_checks_the_whole_document(policy_admin, draft):
    document = copy.deepcopy(draft.document)
    document["cap_without_evidence"] = 95
    policy_draft_update(policy=draft, document=document, note="higher cap", user=policy_admin)
    draft.refresh_from_db()
    assert draft.document["cap_without_evidence"] == 95
    assert draft.note == "higher cap"
    document["dpd_bands"][1]["min"] = 5
    with pytest.raises(DomainError) as caught:
        policy_draft_update(policy=draft, document=document, note="", user=policy_admin)
    assert "dpd_bands[1].min" in caught.value.fields
    draft.refresh_from_db()
    assert draft.document["dpd_bands"][1]["min"] == 4


def test_active_and_retired_versions_are_never_edited(
    policy_admin, second_policy_admin, active, draft
):
    with pytest.raises(ConflictError):
        policy_draft_update(policy=active, document=active.document, note="", user=policy_admin)
    policy_activated(draft, requested_by=policy_admin, confirmed_by=second_policy_admin)
    active.refresh_from_db()
    assert active.status == ReliefPolicy.Status.RETIRED
    with pytest.raises(ConflictError):
        policy_draft_update(policy=active, document=active.document, note="", user=policy_admin)
    with pytest.raises(ConflictError):
        policy_activate(policy=active, user=policy_admin)
    with pytest.raises(ConflictError):
        policy_activate(policy=draft, user=policy_admin)


def test_activation_retires_the_active_one_and_new_cases_use_the_new_one(
    policy_admin, second_policy_admin, active, draft, reviewer
):
    before = submitted_application(assign_to=reviewer)
    activated = policy_activated(draft, requested_by=second_policy_admin, confirmed_by=policy_admin)
    active.refresh_from_db()
    assert activated.status == ReliefPolicy.Status.ACTIVE
    assert activated.activated_by == policy_admin and activated.activated_at
    assert active.status == ReliefPolicy.Status.RETIRED
    assert ReliefPolicy.objects.filter(status=ReliefPolicy.Status.ACTIVE).count() == 1
    after = submitted_application(assign_to=reviewer)
    before.refresh_from_db()
    assert before.policy_version == active.version
    assert after.policy_version == draft.version


def test_only_policy_admins_change_policies(reviewer, draft):
    with pytest.raises(DomainError) as caught:
        policy_activate(policy=draft, user=reviewer)
    assert caught.value.status == 403
    with pytest.raises(DomainError):
        policy_draft_update(policy=draft, document=draft.document, note="", user=reviewer)
    with pytest.raises(DomainError):
        policy_draft_create(based_on=None, document=None, created_by=reviewer, note="")
    draft.refresh_from_db()
    assert draft.status == ReliefPolicy.Status.DRAFT


# --- the admin --------------------------------------------------------------------------------


def test_the_list_shows_every_version(client, policy_admin, active, draft):
    client.force_login(policy_admin)
    response = client.get(POLICIES)
    listed = {p.pk for p in response.context["cl"].result_list}
    assert {active.pk, draft.pk} <= listed
    assert listed == set(ReliefPolicy.objects.values_list("pk", flat=True))


def test_a_draft_is_edited_as_json(client, policy_admin, draft):
    client.force_login(policy_admin)
    page = client.get(page_of(draft)).content.decode()
    assert 'name="document"' in page
    document = copy.deepcopy(draft.document)
    document["evidence_points"] = 15
    response = client.post(
        page_of(draft), {"document": json.dumps(document), "note": "more for evidence"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.document["evidence_points"] == 15
    assert draft.note == "more for evidence"


def test_validation_errors_are_named_by_field_and_nothing_is_saved(client, policy_admin, draft):
    client.force_login(policy_admin)
    document = copy.deepcopy(draft.document)
    document["four_eyes"]["points_over_suggestion"] = 150
    document["hardship_points"]["flood"] = 5
    text = json.dumps(document)
    response = client.post(page_of(draft), {"document": text, "note": "typo"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "<code>four_eyes.points_over_suggestion</code>" in page
    assert "<code>hardship_points.flood</code>" in page
    assert "unknown hardship reason" in page
    assert "flood" in page  # the typed text is kept for the fix
    draft.refresh_from_db()
    assert draft.document["four_eyes"]["points_over_suggestion"] == 20


def test_text_that_is_not_json_is_an_error_not_a_500(client, policy_admin, draft):
    client.force_login(policy_admin)
    response = client.post(page_of(draft), {"document": '{"dpd_bands": [', "note": ""})
    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()


def test_active_versions_are_read_only_in_the_admin(client, policy_admin, active):
    client.force_login(policy_admin)
    page = client.get(page_of(active)).content.decode()
    assert 'name="document"' not in page
    assert "copy this one to a new draft" in page
    response = client.post(page_of(active), {"document": json.dumps(active.document)})
    assert response.status_code == 403


def test_copy_any_version_to_a_new_draft(client, policy_admin, active):
    client.force_login(policy_admin)
    response = client.post(f"{POLICIES}{active.pk}/copy/")
    copied = ReliefPolicy.objects.get(version=active.version + 1)
    assert response.status_code == 302
    assert response["Location"] == page_of(copied)
    assert copied.document == active.document and copied.status == "draft"
    # And from the "add" page, choosing the version to start from.
    response = client.post(f"{POLICIES}add/", {"based_on": copied.pk, "note": "second try"})
    newest = ReliefPolicy.objects.get(version=active.version + 2)
    assert newest.note == "second try"


def test_the_draft_page_shows_its_differences_from_the_active_one(client, policy_admin, draft):
    document = copy.deepcopy(draft.document)
    document["four_eyes"]["amount_over"] = "3000.00"
    policy_draft_update(policy=draft, document=document, note="", user=policy_admin)
    client.force_login(policy_admin)
    page = client.get(page_of(draft)).content.decode()
    assert "<code>four_eyes.amount_over</code>" in page
    assert "3000.00" in page


def test_simulation_compares_the_draft_with_the_active_policy(
    client, policy_admin, draft, reviewer
):
    submitted_application(assign_to=reviewer)
    submitted_application(assign_to=reviewer, reason="other")
    document = copy.deepcopy(draft.document)
    document["hardship_points"]["other"] = 10
    policy_draft_update(policy=draft, document=document, note="", user=policy_admin)
    client.force_login(policy_admin)
    response = client.get(f"{POLICIES}{draft.pk}/simulate/", {"since": "2020-01-01"})
    assert response.status_code == 200
    simulation = response.context["simulation"]
    assert simulation is not None
    assert simulation["rows"], "a table of the comparison"
    page = response.content.decode()
    assert 'id="simulation"' in page
    assert f"Policy v{draft.version} against active v" in page
    assert "70% → 80%" in page  # the "other" case gains 10 points


def test_a_bad_simulation_date_is_a_message(client, policy_admin, draft):
    client.force_login(policy_admin)
    response = client.get(f"{POLICIES}{draft.pk}/simulate/", {"since": "yesterday"})
    assert response.status_code == 200
    assert any("2025-01-31" in m for m in messages_of(response))


def test_activation_through_the_admin(client, policy_admin, second_policy_admin, active, draft):
    client.force_login(second_policy_admin)
    page = client.get(page_of(draft)).content.decode()
    assert f"Request the activation of v{draft.version}" in page
    response = client.post(f"{POLICIES}{draft.pk}/activate/", follow=True)
    assert any("another policy admin must confirm" in m for m in messages_of(response))
    client.force_login(policy_admin)
    page = client.get(page_of(draft)).content.decode()
    assert f"Confirm the activation of v{draft.version}" in page
    response = client.post(f"{POLICIES}{draft.pk}/activate/", follow=True)
    assert any("is now the active policy" in m for m in messages_of(response))
    draft.refresh_from_db()
    active.refresh_from_db()
    assert draft.status == "active" and active.status == "retired"
    # Again: a message, not a 500, nothing changes.
    response = client.post(f"{POLICIES}{draft.pk}/activate/", follow=True)
    assert any("already the active policy" in m for m in messages_of(response))


def test_a_superuser_outside_the_group_may_activate_too(
    client, django_user_model, policy_admin, draft
):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(policy_admin)
    client.post(f"{POLICIES}{draft.pk}/activate/")
    client.force_login(root)
    client.post(f"{POLICIES}{draft.pk}/activate/")
    draft.refresh_from_db()
    assert draft.status == "active"


def test_nobody_deletes_a_policy(client, django_user_model, draft):
    root = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    client.force_login(root)
    assert client.post(f"{POLICIES}{draft.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ReliefPolicy.objects.filter(pk=draft.pk).exists()


def test_a_draft_is_edited_field_by_field(client, policy_admin, draft):
    client.force_login(policy_admin)
    page = client.get(page_of(draft)).content.decode()
    assert 'name="field:four_eyes.amount_over" value="5000.00"' in page
    assert 'name="field:dpd_bands[4].max" value=""' in page
    response = client.post(
        page_of(draft),
        {
            "mode": "fields",
            "note": "tighter four eyes",
            "field:four_eyes.amount_over": "3000.00",
            "field:hardship_points.other": "5",
            "field:dpd_bands[4].max": "",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.document["four_eyes"]["amount_over"] == "3000.00"
    assert draft.document["hardship_points"]["other"] == 5
    assert draft.document["dpd_bands"][4]["max"] is None
    assert draft.note == "tighter four eyes"


def test_field_errors_are_shown_next_to_the_field(client, policy_admin, draft):
    client.force_login(policy_admin)
    response = client.post(
        page_of(draft),
        {"mode": "fields", "note": "", "field:service_levels.decision_hours": "two days"},
    )
    assert response.status_code == 400
    fields = {path: (value, problems) for path, value, problems in response.context["fields"]}
    value, problems = fields["service_levels.decision_hours"]
    assert value == "two days"
    assert problems and "whole number" in problems[0]
    draft.refresh_from_db()
    assert draft.document["service_levels"]["decision_hours"] == 48
