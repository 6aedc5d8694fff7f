"""The OpenAPI document describes the errors and the headers a client must model, not only the
happy path: a client generated from /api/schema/ knows the one error body on every operation."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from apps.core.schema import ERROR_RESPONSES

# The suite's session fixtures seed reference data, which needs the test database set up.
pytestmark = pytest.mark.django_db

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
# The operations that move money or change a state and so take an Idempotency-Key (API.md).
IDEMPOTENT_OPERATIONS = {
    ("post", "/api/v1/loans/sanction"),
    ("post", "/api/v1/repayments/emi/{id}/pay"),
    ("post", "/api/v1/repayments/emi/{id}/bounce"),
    ("post", "/api/v1/repayments/loan/{id}/prepay"),
    ("post", "/api/v1/repayments/loan/{id}/foreclose"),
    ("post", "/api/v1/recovery/initiate"),
    ("post", "/api/v1/recovery/{id}/complete"),
    ("post", "/api/v1/collections/cases"),
    ("post", "/api/v1/collections/cases/{id}/actions"),
    ("post", "/api/v1/repayments/loan/{id}/payment-intents"),
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method, path, operation


def resolve(schema, response):
    ref = response.get("$ref")
    if ref is None:
        return response
    name = ref.removeprefix("#/components/responses/")
    return schema["components"]["responses"][name]


def test_the_error_component_is_the_body_of_apps_core_errors(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "code"]
    assert set(error["properties"]) == {"detail", "code", "errors"}
    assert error["properties"]["errors"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    assert error["additionalProperties"] is True  # e.g. {"code": "limit_exceeded", "limit": "buyer"}


def test_every_operation_documents_every_client_error_with_the_error_body(schema):
    seen = 0
    for method, path, operation in operations(schema):
        for status in ERROR_RESPONSES:
            response = resolve(schema, operation["responses"][status])
            body = response["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        seen += 1
    assert seen > 40


def test_429_says_when_to_retry(schema):
    for method, path, operation in operations(schema):
        headers = resolve(schema, operation["responses"]["429"])["headers"]
        assert headers["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}, (method, path)
        assert headers["Retry-After"]["required"] is True


def test_idempotency_key_is_a_header_with_its_limits_where_it_is_taken(schema):
    taking = set()
    for method, path, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "Idempotency-Key":
                assert parameter["in"] == "header"
                assert parameter.get("required", False) is False
                assert parameter["schema"]["type"] == "string"
                assert parameter["schema"]["minLength"] == 1
                assert parameter["schema"]["maxLength"] == 255
                taking.add((method, path))
    assert taking == IDEMPOTENT_OPERATIONS


def test_collateral_valuation_date_is_optional_in_and_always_out(schema):
    components = schema["components"]["schemas"]
    request, response = components["CollateralCreateRequest"], components["Collateral"]
    assert "valuation_date" in request["properties"]
    assert "valuation_date" not in request["required"]
    assert "readOnly" not in request["properties"]["valuation_date"]
    assert "valuation_date" in response["required"]


def test_the_loan_override_body_is_documented_whole_as_the_server_validates_it(schema):
    operation = schema["paths"]["/api/v1/admin/loans/{id}/override"]["patch"]
    assert operation["requestBody"]["required"] is True
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/OverrideRequest"}
    component = schema["components"]["schemas"]["OverrideRequest"]
    assert sorted(component["required"]) == ["reason", "status"]
    assert component["properties"]["reason"]["minLength"] == 1
