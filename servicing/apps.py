from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicingConfig(AppConfig):
    """The lender's core system: loans and borrowers it sends, repayments it receives.

    It sits above loans and relief (it may call both; neither knows it), so that a repayment
    can post a relief waiver without loans importing relief."""

    name = "servicing"
    verbose_name = _("Servicing")
