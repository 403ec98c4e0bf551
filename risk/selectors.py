"""Reading early warning: the active risk model, its parsed scorecard, scored loans, and
the offer of help a high-risk borrower sees on her dashboard."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from learn.models import ArticleText, Tag
from learn.selectors import suggested_article
from loans.models import Loan
from loans.selectors import local_today
from risk import rules
from risk.models import RiskLevel, RiskModel, RiskScore

# A score this many days old still brings the offer (the nightly run may be late).
OFFER_FRESH_DAYS = 2
# The topic of the article that comes with an offer of help, on the dashboard and in outreach.
HELP_TAG = Tag.HARDSHIP_HELP

_parsed: dict[tuple[int, str], rules.Scorecard] = {}
# Parsed scorecards kept per process: a handful of versions, bounded anyway (a draft is keyed
# by its content, so editing one adds entries).
_PARSED_MAX = 64


def active_risk_model() -> RiskModel:
    """The one active version (RiskModel.DoesNotExist when none: a misconfigured install)."""
    return RiskModel.objects.get(status=RiskModel.Status.ACTIVE)


def scorecard_of(model: RiskModel) -> rules.Scorecard:
    """The model's document parsed (checked when it was saved), once per process."""
    key = (model.version, json.dumps(model.document, sort_keys=True))
    scorecard = _parsed.get(key)
    if scorecard is None:
        if len(_parsed) >= _PARSED_MAX:
            _parsed.clear()
        scorecard = _parsed[key] = rules.parse_scorecard(model.document, version=model.version)
    return scorecard


def latest_scoring_day(today: date | None = None) -> date | None:
    """The last day loans were scored (today's scores come with the nightly run)."""
    today = today or local_today()
    return (
        RiskScore.objects.filter(as_of__lte=today)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )


def scored_loans(*, level: str | None = None, as_of: date | None = None) -> QuerySet[RiskScore]:
    """The loans scored on a day (the last one by default), riskiest first."""
    day = as_of or latest_scoring_day()
    scores = RiskScore.objects.filter(as_of=day).select_related("loan", "loan__product", "model")
    if level:
        scores = scores.filter(level=level)
    return scores.order_by("-score", "loan_id")


def held_out(score: RiskScore) -> bool:
    """Whether the score's loan is in its model version's holdout (no outreach)."""
    scorecard = scorecard_of(score.model)
    return rules.in_holdout(score.loan_id, scorecard.version, scorecard.holdout_percent)


@dataclass(frozen=True)
class HelpOffer:
    """A gentle offer of help before a due date, for a borrower scored high risk."""

    loan_id: int
    options_path: str
    article: ArticleText | None

    @property
    def article_path(self) -> str:
        return article_path(self.article.slug) if self.article else ""


def help_offer_of_user(user, *, today: date | None = None) -> HelpOffer | None:
    """The offer for the signed-in borrower's riskiest active loan scored high in the last
    days, unless it is in the holdout (which gets no prevention contact); None otherwise."""
    today = today or local_today()
    score = (
        RiskScore.objects.filter(
            loan__borrower__user=user,
            loan__status=Loan.Status.ACTIVE,
            level=RiskLevel.HIGH,
            as_of__gte=today - timedelta(days=OFFER_FRESH_DAYS),
        )
        .select_related("model")
        .order_by("-as_of", "-score", "loan_id")
        .first()
    )
    if score is None or held_out(score):
        return None
    return HelpOffer(
        loan_id=score.loan_id,
        options_path=options_path(score.loan_id),
        article=suggested_article(HELP_TAG),
    )


def options_path(loan_id: int) -> str:
    """The borrower's repayment options (api.md: `/loans/<id>/options/`)."""
    return f"/loans/{loan_id}/options/"


def article_path(slug: str) -> str:
    """An education article (api.md: `/learn/<slug>/`)."""
    return reverse("article-detail", args=[slug])


def site_url(path: str) -> str:
    """A path as the whole address an email or SMS needs (settings.SITE_URL)."""
    return settings.SITE_URL + path
