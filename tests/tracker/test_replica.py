"""Dashboard reads go to the replica alias when one is configured (here: a test mirror of
the primary), and to the primary inside a transaction or when none is configured."""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from config.db_router import replica_alias
from tracker.models import Target


def test_tests_have_a_replica_alias_mirroring_the_primary():
    assert "replica" in connections.settings
    assert connections.settings["replica"]["TEST"]["MIRROR"] == "default"


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_outside_a_transaction_reads_go_to_the_replica():
    assert replica_alias() == "replica"
    with CaptureQueriesContext(connections["replica"]) as replica:
        list(Target.objects.using(replica_alias()).all())
    assert len(replica) == 1


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_inside_a_transaction_on_the_primary_reads_stay_there():
    with transaction.atomic():
        assert replica_alias() == "default"


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_without_a_replica_everything_reads_the_primary(settings):
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    assert replica_alias() == "default"
