"""Cached API principals follow membership changes at once.

``accounts.authentication`` caches each token's user together with the user's Scope. Any
write that can change a scope (a membership, an organisation's activity or kind, a
department's region) drops the cached tokens of the people concerned, from services and the
admin alike.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.authentication import forget_tokens_of
from accounts.models import DepartmentProfile, Membership, Organisation


def _forget_members_of(organisation_id: int) -> None:
    user_ids = Membership.objects.filter(organisation_id=organisation_id).values_list(
        "user_id", flat=True
    )
    transaction.on_commit(lambda: forget_tokens_of(list(user_ids)))


@receiver([post_save, post_delete], sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    transaction.on_commit(lambda: forget_tokens_of([instance.user_id]))


@receiver(post_save, sender=Organisation)
def organisation_changed(sender, instance: Organisation, created: bool, **kwargs) -> None:
    if not created:
        _forget_members_of(instance.pk)


@receiver([post_save, post_delete], sender=DepartmentProfile)
def department_changed(sender, instance: DepartmentProfile, **kwargs) -> None:
    _forget_members_of(instance.organisation_id)
