"""Risk model versions in the admin: a policy admin writes a draft (checked field by field)
and activates it; active and retired versions never change."""

import copy

import pytest

from risk import rules
from risk.models import RiskModel
from tests.relief.helpers import staff_user

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/risk/riskmodel/add/"
LIST_URL = "/admin/risk/riskmodel/"


@pytest.fixture
def policy_admin(client):
    user = staff_user("policy", "Policy admin")
    client.force_login(user)
    return user


def posted(document, note=""):
    import json

    return {"document": json.dumps(document), "note": note}


def test_a_policy_admin_writes_a_new_version_as_a_draft(client, policy_admin):
    document = copy.deepcopy(rules.DEFAULT_RISK_MODEL_DOCUMENT)
    document["levels"]["high"] = 75
    response = client.post(ADD_URL, posted(document, "stricter"))
    assert response.status_code == 302
    draft = RiskModel.objects.get(version=2)
    assert (draft.status, draft.note, draft.created_by) == ("draft", "stricter", policy_admin)
    assert RiskModel.objects.get(status="active").version == 1


def test_a_bad_document_is_refused_naming_the_field(client, policy_admin):
    document = copy.deepcopy(rules.DEFAULT_RISK_MODEL_DOCUMENT)
    document["bands"]["current_dpd"][1]["min"] = 0
    response = client.post(ADD_URL, posted(document))
    assert response.status_code == 200
    assert "bands.current_dpd[1].min" in response.content.decode()
    assert not RiskModel.objects.filter(version=2).exists()


def test_activating_a_draft_retires_the_active_version(client, policy_admin):
    client.post(ADD_URL, posted(rules.DEFAULT_RISK_MODEL_DOCUMENT))
    draft = RiskModel.objects.get(version=2)
    response = client.post(
        LIST_URL,
        {"action": "activate", "_selected_action": [draft.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Risk model v2 is active." in response.content.decode()
    statuses = dict(RiskModel.objects.values_list("version", "status"))
    assert statuses == {1: "retired", 2: "active"}


def test_the_active_version_cannot_be_edited(client, policy_admin):
    active = RiskModel.objects.get(status="active")
    document = copy.deepcopy(active.document)
    document["holdout_percent"] = 20
    response = client.post(f"/admin/risk/riskmodel/{active.pk}/change/", posted(document))
    assert response.status_code == 403
    active.refresh_from_db()
    assert active.document["holdout_percent"] == 10


def test_a_reviewer_cannot_write_a_risk_model(client):
    client.force_login(staff_user("reviewer", "Reviewer"))
    response = client.post(ADD_URL, posted(rules.DEFAULT_RISK_MODEL_DOCUMENT))
    assert response.status_code == 403
    assert not RiskModel.objects.filter(version=2).exists()
