"""The test database's restore (dolbom/testing/restore.py) gives back the database as migrations left it:
every row, primary key and many-to-many link that Django's own row-by-row restore would give back."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from dolbom.testing.restore import deserialize_db_from_string

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_it_restores_after_a_flush_exactly_what_was_serialized():
    serialized = connection._test_serialized_contents
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    assert connection.creation.serialize_db_to_string() != serialized  # the flush emptied the tables
    deserialize_db_from_string(connection.creation, serialized)
    assert connection.creation.serialize_db_to_string() == serialized


def test_it_leaves_a_database_that_still_has_its_rows_as_it_was():
    serialized = connection._test_serialized_contents
    deserialize_db_from_string(connection.creation, serialized)
    assert connection.creation.serialize_db_to_string() == serialized
