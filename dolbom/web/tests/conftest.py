from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def login(client):
    """login(user) -> a test client logged in as that persona, in Korean (the default language)."""

    def _login(user) -> Client:
        c = Client()
        c.force_login(user)
        return c

    return _login
