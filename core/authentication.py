"""API tokens that expire (`API_TOKEN_TTL_DAYS`, 30 by default) and are revoked when the
password changes: a token copied from a lost phone or a log stops working on its own, and at
once when its owner changes her password."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

SIGNS_OUT_THE_APP = _("A new password also signs you out of the mobile app.")
TOKEN_EXPIRED = _("This token has expired. Sign in again to get a new one.")


def token_expired(token: Token) -> bool:
    return token.created < timezone.now() - timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_for(user) -> Token:
    """The user's token, a new one when the old has expired (the token endpoint)."""
    token, created = Token.objects.get_or_create(user=user)
    if not created and token_expired(token):
        token.delete()
        # Two sign-ins at once may both find the old token: get_or_create settles the race.
        token, _ = Token.objects.get_or_create(user=user)
    return token


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than `API_TOKEN_TTL_DAYS`."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED)
        return user, token


class RevokeApiTokensOnPasswordChange:
    """In AUTH_PASSWORD_VALIDATORS for Django's documented `password_changed` hook: called
    after a user's new password is saved (the password forms, the admin, `changepassword`,
    `set_password` + `save`), it deletes the user's API token. Validates nothing.

    Not a `pre_save` signal comparing hashes: Django re-hashes a password on sign-in when its
    hasher's settings change, which is no change of password and must not sign the phone out
    (Django itself tells the two apart for this hook)."""

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        if user is not None and user.pk is not None:
            Token.objects.filter(user_id=user.pk).delete()

    def get_help_text(self) -> str:
        return str(SIGNS_OUT_THE_APP)
