"""PostgreSQL prepares the statements an app process repeats (config/settings.py): Django
leaves psycopg's preparing off unless it is asked for, and re-planning the booking path's
queries on every call cost PostgreSQL more than running them."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def test_a_repeated_statement_is_prepared_on_its_connection():
    sql = "SELECT %s::int + 1 /* prepared-statement probe */"
    with connection.cursor() as cursor:
        for n in range(6):
            cursor.execute(sql, [n])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%prepared-statement probe%"],
        )
        assert cursor.fetchone()[0] == 1
