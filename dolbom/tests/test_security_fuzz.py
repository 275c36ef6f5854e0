"""Schemathesis against the OpenAPI, bounded: every operation gets DOLBOM_FUZZ_EXAMPLES generated requests
(10 by default; derandomised, so a run is reproducible), sent as the city team through a bearer token to
the WSGI application in the test's own transaction. No answer may be a 5xx, and every answer must match the
schema: its status documented, its body the documented shape, its content type JSON where documented.

Marked ``fuzz`` so that it can be run alone (``pytest -m fuzz``); it runs in CI within a couple of minutes.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dolbom.accounts.models import Role
from dolbom.accounts.services import api_token_create
from dolbom.api import api
from dolbom.testing import personas

EXAMPLES = int(os.environ.get("DOLBOM_FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()
# Generated examples only: the "coverage" phase would add every boundary case of every parameter (hundreds per
# operation), past what a CI run can afford; DOLBOM_FUZZ_EXAMPLES raises the bound for a longer local run.
schema.config.phases.update(phases=["examples", "fuzzing"])

pytestmark = pytest.mark.fuzz


@pytest.fixture
def fuzz_token(db):
    """The city team's token, on a small world (a resident with a case) so that some ids exist."""
    city = personas.make_staff("fuzz_city", "정하늘", Role.CITY_TEAM)
    officer = personas.make_staff("fuzz_officer", "김민지", Role.DONG_OFFICER, "서신동")
    personas.open_case(officer, personas.make_resident(officer))
    # The WSGI handler closes "old" connections at each request's start and end, which would end the test's
    # transaction; Django's test client unhooks them the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_token_create(user=city, name="fuzz")
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
def test_the_api_answers_every_generated_request_within_its_schema(case, fuzz_token):
    response = case.call(headers={"Authorization": f"Bearer {fuzz_token}"})
    case.validate_response(response, checks=(not_a_server_error, status_code_conformance,
                                             content_type_conformance, response_schema_conformance))
