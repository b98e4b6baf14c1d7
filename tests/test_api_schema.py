"""The API against its own OpenAPI schema: the schema is valid and complete, and a
property-based run (schemathesis, a bounded number of examples per operation) finds no
server error and no response that the schema does not describe."""

import itertools

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.specs.openapi import checks

from certificates.services import certificate_issue
from config.urls import api_v1
from learners.models import ApiToken, TokenScope
from stats.demo.factories import (
    CompetenceAssessmentFactory,
    ModuleFactory,
    NeighbourhoodFactory,
    OperatorFactory,
    ParticipationFactory,
    ReferralFactory,
    SessionFactory,
    TopicFactory,
    completed_module,
)

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, sharing the test's database transaction: the request
    signals must not close the connection between two requests, as Django's test client
    makes sure of too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def routed_operations():
    """(path, method) of every action of every viewset of the API's router."""
    operations = set()
    for prefix, viewset, _basename in api_v1.registry:
        field = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        lookup = "{id}" if field == "pk" else f"{{{field}}}"
        for route in api_v1.get_routes(viewset):
            methods = api_v1.get_method_map(viewset, route.mapping)
            url = route.url.format(prefix=prefix, lookup=lookup, trailing_slash="/")
            path = "/api/v1/" + url.strip("^$")
            operations |= {(path, method) for method in methods}
    return operations


def test_the_schema_describes_every_endpoint(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    described = {(path, method) for path, methods in paths.items() for method in methods}
    assert described == routed_operations()
    assert "/api/v1/sessions/" in paths and "/api/v1/sessions/{id}/" in paths
    session = schema["components"]["schemas"]["Session"]
    assert {"participants", "topics", "pole", "format"} <= set(session["properties"])
    assert schema["components"]["schemas"]["PoleEnum"]["enum"] == [
        "necessity",
        "achievement",
        "leisure",
    ]
    create = schema["paths"]["/api/v1/sessions/"]["post"]
    # 409: an Idempotency-Key already used for a session the user no longer sees
    assert set(create["responses"]) == {"201", "400", "401", "403", "404", "406", "409"}
    assert create["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert set(schema["components"]["securitySchemes"]) == {"cleApi", "cookieAuth"}


@pytest.mark.security_review
def test_the_schema_is_valid_for_a_strict_validator(client):
    """Client generators and gateways refuse an invalid document; openapi-spec-validator
    checks, among the rest, that every `default` is valid against its own schema."""
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    validate(schema)  # raises OpenAPIValidationError with what is wrong
    # Still documented: an email left out is stored empty (PUT replaces every field).
    email = schema["components"]["schemas"]["ResidentWriteRequest"]["properties"]["email"]
    assert email["default"] == ""
    assert {"type": "string", "maxLength": 0} in email["oneOf"]


@pytest.fixture
def data(cast):
    """Records for the generated requests to find (small ids are tried often)."""
    module = ModuleFactory(targets={"1.1": 2})
    session = SessionFactory(actor=cast.actor_a, created_by=cast.mediator_a)
    ParticipationFactory(session=session, resident=cast.resident)
    ReferralFactory(resident=cast.resident, from_actor=cast.actor_a, created_by=cast.mediator_a)
    CompetenceAssessmentFactory(resident=cast.resident, assessed_by=cast.mediator_a)
    TopicFactory()
    OperatorFactory()
    NeighbourhoodFactory()
    earned = completed_module(cast.resident, mediator=cast.mediator_a)
    certificate_issue(resident=cast.resident, module=earned)
    return module


def test_the_api_keeps_to_its_schema(cast, data, wsgi_app):
    _token, key = ApiToken.issue(
        user=cast.mediator_a, name="schemathesis", scope=TokenScope.READ_WRITE, created_by=None
    )
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    load_all_checks()
    wanted = [
        not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_headers_conformance,
        checks.response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30

    # Valid requests (as far as the schema says) and invalid ones, for every operation.
    for operation, mode in itertools.product(operations, GenerationMode):

        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {key}"})
            case.validate_response(response, checks=wanted)

        check()


def test_an_accept_header_the_api_cannot_satisfy_is_a_documented_406(cast, client):
    """Found by the property-based run on CI: `Accept: 3` answered 406, which the schema did
    not describe. The answer is the API's error shape, in French, and the schema says so."""
    _token, key = ApiToken.issue(
        user=cast.mediator_a, name="accept", scope=TokenScope.READ_WRITE, created_by=None
    )
    response = client.get("/api/v1/sessions/", HTTP_ACCEPT="3", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 406
    assert response.json()["code"] == "not_acceptable"
    assert "Accept" in response.json()["message"]
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert "406" in operation["responses"], (method, path)
