import pytest
from django.db import transaction

from facilities import demo
from facilities.search.thesaurus import thesaurus_changed
from facilities.services.thesaurus import thesaurus_load


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The demo catalogue (45 instruments, 24 testing services) and the shipped thesaurus,
    once per module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        thesaurus_load()
        thesaurus_changed()
        seeded = demo.seed()
        yield seeded
        transaction.set_rollback(True)
    thesaurus_changed()


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    """The did-you-mean vocabulary is cached for minutes; each test reads its own data."""
    from django.core.cache import cache

    from facilities.search.suggest import VOCABULARY_KEY

    cache.delete_many([VOCABULARY_KEY, VOCABULARY_KEY + ":stamp"])
