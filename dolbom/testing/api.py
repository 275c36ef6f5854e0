"""A small JSON client for API tests: one per persona, logged in through the session."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import User
from django.test import Client


class ApiClient:
    def __init__(self, user: User | None = None, token: str | None = None, **client_kwargs: Any) -> None:
        self.client = Client(**client_kwargs)
        self.headers: dict[str, str] = {}
        if user is not None:
            self.client.force_login(user)
        if token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, url: str, params: dict[str, Any] | None = None, **headers: str):
        return self.client.get(url, params or {}, headers={**self.headers, **headers})

    def post(self, url: str, body: dict[str, Any] | None = None, **headers: str):
        return self.client.post(url, json.dumps(body or {}, default=str), content_type="application/json",
                                headers={**self.headers, **headers})

    def put(self, url: str, body: dict[str, Any] | None = None, **headers: str):
        return self.client.put(url, json.dumps(body or {}, default=str), content_type="application/json",
                               headers={**self.headers, **headers})


def api_as(user: User) -> ApiClient:
    return ApiClient(user)
