"""Personas in every role and a world of real objects for the security tests.

Roles (api.md, "Demo accounts"): a visitor, the owning borrower (alice), another borrower
(bob), a reviewer, a senior reviewer, ops, a policy admin and the servicing system.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from learn.models import Article
from relief import services
from relief.models import Evidence, ReliefApplication, ReliefPolicy
from relief.services.policies import policy_draft_create
from reports.models import Export, ExportLog
from tests.factories import UserFactory, overdue_loan
from tests.relief.helpers import staff_user
from tests.relief.page_helpers import PDF, PNG, pdf

ROLES = ("anonymous", "owner", "other", "reviewer", "senior", "ops", "policy", "servicing")


@pytest.fixture(autouse=True)
def fresh_throttles_and_english(settings):
    """Throttle counts live in the cache; the assertions read the English texts."""
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def policy_admin(db):
    return staff_user("policy", "Policy admin")


@pytest.fixture
def servicing(db):
    return UserFactory(username="servicing", groups=["Servicing"])


@pytest.fixture
def people(alice, bob, reviewer, senior, ops, policy_admin, servicing) -> dict:
    return {
        "anonymous": None,
        "owner": alice.user,
        "other": bob.user,
        "reviewer": reviewer,
        "senior": senior,
        "ops": ops,
        "policy": policy_admin,
        "servicing": servicing,
    }


def page_client(user) -> Client:
    """A browser: signed in by session (or not at all)."""
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def api_client(user) -> APIClient:
    """The mobile app or the core system: signed in by token (or not at all)."""
    client = APIClient(raise_request_exception=False)
    if user is not None:
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@dataclass
class World:
    """One of each object the URLs name, alice's where a borrower owns it."""

    loan: object  # alice's loan with a case
    free_loan: object  # alice's loan without one (the apply form)
    application: ReliefApplication
    evidence: Evidence
    notification: object
    policy: ReliefPolicy
    draft: ReliefPolicy
    export: Export
    bob_loan: object
    article: object

    def kwargs(self) -> dict:
        return {
            "loan_id": self.free_loan.pk,
            "application_id": self.application.pk,
            "evidence_id": self.evidence.pk,
            "notification_id": self.notification.pk,
            "export_id": self.export.pk,
            "token": self.export.token,
            "external_id": self.loan.external_id,
            "name": "applications",
            "action": "withdraw",
            "slug": self.article.slug,
        }


@pytest.fixture
def world(db, settings, tmp_path, people, alice, bob, reviewer, servicing, today) -> World:
    settings.MEDIA_ROOT = tmp_path
    loan = overdue_loan(alice, today=today, days=20)
    free_loan = overdue_loan(alice, today=today, days=20)
    bob_loan = overdue_loan(bob, today=today, days=20)
    application = services.relief_application_submit(
        loan=loan,
        reason="serious_illness",
        description="I was in hospital.",
        uploads=[pdf("certificate.pdf", PDF)],
        submitted_by=alice.user,
    )
    application = services.relief_application_triage(application_id=application.pk)
    services.relief_application_add_evidence(
        application_id=application.pk,
        user=alice.user,
        uploads=[pdf("photo.png", PNG)],
    )
    services.repayment_post(
        loan=bob_loan,
        amount=Decimal("10.00"),
        paid_on=today,
        reference="R-SECURITY-1",
        recorded_by=servicing,
    )
    policy = ReliefPolicy.objects.get(status=ReliefPolicy.Status.ACTIVE)
    draft = policy_draft_create(
        based_on=policy, document=None, created_by=people["policy"], note="draft"
    )
    exports_dir = tmp_path / "exports"
    exports_dir.mkdir()
    (exports_dir / "applications.csv").write_text("application_id\n1\n")
    export = Export.objects.create(
        requester=people["ops"],
        report="applications",
        filters={"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()},
        format="csv",
        status=Export.Status.DONE,
        row_count=1,
        file_path="exports/applications.csv",
        expires_at=timezone.now() + timedelta(days=7),
    )
    ExportLog.objects.create(
        user=people["ops"],
        actor="ops",
        channel=ExportLog.Channel.WEB,
        report="applications",
        format="csv",
        rows=1,
        export=export,
    )
    article = Article.objects.create(
        slug="how-penalty-works",
        title_zh_hans="罚息是怎么算的",
        body_zh_hans="每天的罚息 = 未还本息 × 罚息利率 ÷ 360。",
        published=True,
    )
    return World(
        article=article,
        loan=loan,
        free_loan=free_loan,
        application=application,
        evidence=application.evidence.order_by("pk").first(),
        notification=alice.user.notifications.order_by("pk").first(),
        policy=policy,
        draft=draft,
        export=export,
        bob_loan=bob_loan,
    )


def files_under(path) -> list:
    """Every file below `path` (what an upload left on disk)."""
    return sorted(p for p in path.rglob("*") if p.is_file())
