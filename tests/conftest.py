import pytest
from django.test import Client

from config.celery import app as celery_app
from tests.factories.accounts import (
    PASSWORD,
    UserFactory,
    join,
    make_firm,
    make_provider,
    reference_data,
)

# Tests run tasks inline unless a test starts a real worker (tests/test_celery_worker.py).
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # PBKDF2's million rounds cost a third of a second of CPU per user, and the suite
    # makes thousands of users; hash strength is Django's own tested concern (production
    # keeps the default hasher).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.ACCOUNT_RATE_LIMITS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def firm_a(db):
    return make_firm()


@pytest.fixture
def firm_b(db):
    return make_firm()


@pytest.fixture
def provider(db):
    return make_provider()


@pytest.fixture
def alice(firm_a):
    """A member of firm A."""
    user = UserFactory(email="alice@example.cn")
    join(user, firm_a, admin=True)
    return user


@pytest.fixture
def bob(firm_b):
    """A member of firm B."""
    user = UserFactory(email="bob@example.cn")
    join(user, firm_b, admin=True)
    return user


@pytest.fixture
def manager(provider):
    """A lab manager of ``provider``."""
    user = UserFactory(email="manager@example.cn")
    join(user, provider, admin=True)
    return user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Tests run with a ``replica`` alias that mirrors the primary (config/db_router.py),
    unless DATABASE_REPLICA_URL already configured one, so the replica reads are exercised."""
    from django.conf import settings

    if "replica" not in settings.DATABASES:
        default = settings.DATABASES["default"]
        settings.DATABASES["replica"] = {
            **default,
            "TEST": {**default.get("TEST", {}), "MIRROR": "default"},
        }


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With --reuse-db, a previous run's transactional tests may have flushed the
    reference data a migration loaded (regions, size rules): put it back once."""
    with django_db_blocker.unblock():
        reference_data()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Transactional tests (threads, live server) flush every table after themselves,
    reference data included; the next such test puts it back before it starts."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        reference_data()
