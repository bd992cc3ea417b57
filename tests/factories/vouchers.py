from __future__ import annotations

import factory

from vouchers.models import RelatedParty


class RelatedPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedParty

    role = RelatedParty.Role.SHAREHOLDER
    name = factory.Sequence(lambda n: f"股东{n}")
    identifier = factory.Sequence(lambda n: f"33010219800101{n:04d}")
