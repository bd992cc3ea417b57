"""Writes to the catalogue's thesaurus (``ThesaurusEntry``)."""

from __future__ import annotations

from django.db import transaction

from facilities.models import ThesaurusEntry
from facilities.search.thesaurus import file_entries, thesaurus_changed


@transaction.atomic
def thesaurus_load(*, actor=None) -> int:
    """Add the shipped entries (facilities/data/thesaurus.toml) whose term is missing; an
    entry already there — perhaps edited by an administrator — is left as it is. Returns
    how many were added; every process recompiles after commit."""
    have = set(ThesaurusEntry.objects.values_list("term", flat=True))
    new = [ThesaurusEntry(**row) for row in file_entries() if row["term"] not in have]
    ThesaurusEntry.objects.bulk_create(new)
    transaction.on_commit(thesaurus_changed)
    return len(new)


def thesaurus_entry_saved(sender, **kwargs) -> None:
    """post_save / post_delete of an entry (admin, shell): recompile everywhere after commit."""
    transaction.on_commit(thesaurus_changed)
