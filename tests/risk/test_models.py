"""Risk model versions: version 1 ships active and is the document of risk_model_v1.json."""

import importlib

import pytest

from risk import rules
from risk.models import RiskModel
from risk.selectors import active_risk_model, scorecard_of

pytestmark = pytest.mark.django_db


def test_version_1_is_active_after_migrating_and_matches_the_shipped_document():
    model = active_risk_model()
    assert model.version == 1
    assert scorecard_of(model) == rules.default_scorecard()
    migration = importlib.import_module("risk.migrations.0002_risk_model_v1")
    assert migration.RISK_MODEL_V1 == rules.DEFAULT_RISK_MODEL_DOCUMENT


def test_two_active_versions_are_refused_by_the_database():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        RiskModel.objects.create(
            version=2, document=rules.DEFAULT_RISK_MODEL_DOCUMENT, status="active"
        )
