"""Keeping cached data true to the database."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from relief import selectors
from relief.models import ReliefPolicy


@receiver(post_save, sender=ReliefPolicy, dispatch_uid="relief.active_policy.saved")
@receiver(post_delete, sender=ReliefPolicy, dispatch_uid="relief.active_policy.deleted")
def policy_changed(sender, **kwargs) -> None:
    """Any policy row saved or deleted through the ORM (activation, the admin, a data
    migration) may change which version is active: the cached one is forgotten."""
    selectors.active_policy_forget()
