"""The OpenID Connect provider as services and their clients meet it: a real Keycloak, the project's realm.

Tokens are decoded without verifying their signature only to read their claims; verifying them is the
services' job (shared/auth). The key-rotation test does verify signatures, against the JWKS.
"""

from __future__ import annotations

import uuid
from typing import Any

import jwt
import pytest

from tests.support.keycloak import (
    API_AUDIENCE,
    CLI_CLIENT_ID,
    CONSOLE_CLIENT_ID,
    DEMO_PASSWORD,
    INTEGRATION_CLIENT_ID,
    AuthorizationRefused,
    KeycloakProvider,
    Pkce,
    TokenRequestRefused,
    realm_client_secret,
)

# Until tests/conftest.py lists it, this module brings the plugin itself (registering it twice is a no-op).
pytest_plugins = ["tests.fixtures.keycloak"]

# The session's first use of the provider may fetch, build and start it: minutes on a busy machine.
pytestmark = pytest.mark.timeout(900)

DEMO_USERS = {
    "admin.so": ("department_admin", "DEMO-SO-ADMIN"),
    "canbo.so": ("department_officer", "DEMO-SO-CB"),
    "cumtruong.1": ("cluster_leader", "DEMO-C1-LEAD"),
    "thanhvien.1": ("cluster_member", "DEMO-C1-MEM"),
    "hieutruong.mau": ("school_principal", "DEMO-HT-001"),
    "canbo.xa": ("commune_officer", "DEMO-XA-001"),
}


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def audiences(token_claims: dict[str, Any]) -> list[str]:
    """``aud`` is a string when there is one audience and a list otherwise (RFC 7519 allows both)."""
    aud = token_claims["aud"]
    return [aud] if isinstance(aud, str) else list(aud)


def test_the_discovery_document_names_the_issuer_keys_and_the_grants_the_realm_uses(
    keycloak: KeycloakProvider,
) -> None:
    document = keycloak.discovery
    assert document["issuer"] == f"{keycloak.base_url}/realms/edu-clusters"
    assert document["jwks_uri"].startswith(document["issuer"])
    assert "S256" in document["code_challenge_methods_supported"]
    assert "urn:ietf:params:oauth:grant-type:device_code" in document["grant_types_supported"]
    assert "RS256" in document["id_token_signing_alg_values_supported"]


def test_the_authorization_code_flow_with_pkce_s256_yields_the_claims_services_read(
    keycloak: KeycloakProvider,
) -> None:
    pkce = Pkce.new()
    code = keycloak.authorization_code("cumtruong.1", DEMO_PASSWORD, pkce=pkce)
    tokens = keycloak.exchange_code(code, verifier=pkce.verifier)

    assert tokens["token_type"].lower() == "bearer"
    # expires_in counts from the second of the response, so it may be 299 of the realm's 300.
    assert tokens["expires_in"] in (299, 300)
    access = claims(tokens["access_token"])
    assert jwt.get_unverified_header(tokens["access_token"])["alg"] == "RS256"
    assert access["iss"] == keycloak.issuer
    assert API_AUDIENCE in audiences(access)
    assert access["azp"] == CONSOLE_CLIENT_ID
    assert access["roles"] == ["cluster_leader"]
    assert access["staff_code"] == "DEMO-C1-LEAD"
    assert access["preferred_username"] == "cumtruong.1"
    assert access["email"] == "cumtruong.1@demo.edu-clusters.vn"
    assert access["name"] == "Lê Văn Thành"  # family name first, as Vietnamese names are written
    assert access["exp"] - access["iat"] == 300
    assert claims(tokens["id_token"])["aud"] == CONSOLE_CLIENT_ID


def test_the_code_exchange_without_the_verifier_is_refused(keycloak: KeycloakProvider) -> None:
    code = keycloak.authorization_code("canbo.so", DEMO_PASSWORD, pkce=Pkce.new())
    with pytest.raises(TokenRequestRefused) as refused:
        keycloak.exchange_code(code, verifier=None)
    assert refused.value.status_code == 400
    assert refused.value.error == "invalid_grant"


def test_the_code_exchange_with_another_verifier_is_refused(keycloak: KeycloakProvider) -> None:
    code = keycloak.authorization_code("canbo.so", DEMO_PASSWORD, pkce=Pkce.new())
    with pytest.raises(TokenRequestRefused) as refused:
        keycloak.exchange_code(code, verifier=Pkce.new().verifier)
    assert refused.value.error == "invalid_grant"


def test_an_authorization_request_without_a_code_challenge_is_refused(keycloak: KeycloakProvider) -> None:
    with pytest.raises(AuthorizationRefused) as refused:
        keycloak.authorization_code("canbo.so", DEMO_PASSWORD, pkce=None)
    assert refused.value.details["error"] == "invalid_request"


def test_a_redirect_uri_off_this_machine_is_refused(keycloak: KeycloakProvider) -> None:
    with pytest.raises(AuthorizationRefused):
        keycloak.authorization_code(
            "canbo.so", DEMO_PASSWORD, pkce=Pkce.new(), redirect_uri="http://127.0.0.1.example.com/callback"
        )


@pytest.mark.parametrize("username", sorted(DEMO_USERS))
def test_every_demo_user_has_its_role_staff_code_and_email(keycloak: KeycloakProvider, username: str) -> None:
    role, staff_code = DEMO_USERS[username]
    access = claims(keycloak.password_token(username, DEMO_PASSWORD))
    assert access["roles"] == [role]
    assert access["staff_code"] == staff_code
    assert access["email"] == f"{username}@demo.edu-clusters.vn"
    assert access["preferred_username"] == username
    assert access["name"]
    assert access["azp"] == CLI_CLIENT_ID
    assert API_AUDIENCE in audiences(access)


def test_a_wrong_password_gets_no_token(keycloak: KeycloakProvider) -> None:
    with pytest.raises(TokenRequestRefused) as refused:
        keycloak.password_token("admin.so", "not-the-password")
    assert refused.value.error == "invalid_grant"


def test_the_integration_client_gets_its_grants_as_a_json_list(keycloak: KeycloakProvider) -> None:
    token = keycloak.client_credentials_token(
        INTEGRATION_CLIENT_ID, realm_client_secret(INTEGRATION_CLIENT_ID)
    )
    access = claims(token)
    assert access["grants"] == ["cluster:1", "topic:incidents.events"]
    assert access["roles"] == ["integration_client"]
    assert access["azp"] == INTEGRATION_CLIENT_ID
    assert access["client_id"] == INTEGRATION_CLIENT_ID
    assert API_AUDIENCE in audiences(access)
    assert "staff_code" not in access


def test_the_integration_client_cannot_use_the_password_grant(keycloak: KeycloakProvider) -> None:
    form = {"grant_type": "password", "username": "admin.so", "password": DEMO_PASSWORD}
    with pytest.raises(TokenRequestRefused):
        keycloak.token(form, auth=(INTEGRATION_CLIENT_ID, realm_client_secret(INTEGRATION_CLIENT_ID)))


def test_the_device_authorization_endpoint_answers_for_the_cli(keycloak: KeycloakProvider) -> None:
    response = keycloak.http.post(keycloak.device_authorization_endpoint, data={"client_id": CLI_CLIENT_ID})
    assert response.status_code == 200, response.text
    grant = response.json()
    assert grant["verification_uri"].startswith(keycloak.issuer)
    assert grant["user_code"] and grant["interval"] >= 1
    # Until somebody enters the user code, polling says so.
    with pytest.raises(TokenRequestRefused) as pending:
        keycloak.token(
            {
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "client_id": CLI_CLIENT_ID,
                "device_code": grant["device_code"],
            }
        )
    assert pending.value.error == "authorization_pending"


def test_key_rotation_signs_new_tokens_with_a_new_kid_while_the_old_key_still_verifies(
    keycloak: KeycloakProvider,
) -> None:
    before = keycloak.password_token("admin.so", DEMO_PASSWORD)
    old_kid = jwt.get_unverified_header(before)["kid"]

    new_kid = keycloak.admin.rotate_keys()

    after = keycloak.password_token("admin.so", DEMO_PASSWORD)
    assert new_kid != old_kid
    assert jwt.get_unverified_header(after)["kid"] == new_kid
    assert keycloak.admin.active_signing_kid() == new_kid
    jwks = jwt.PyJWKSet.from_dict(keycloak.jwks())
    assert {old_kid, new_kid} <= {key.key_id for key in jwks.keys}
    for token, kid in ((before, old_kid), (after, new_kid)):
        verified = jwt.decode(
            token, jwks[kid].key, algorithms=["RS256"], audience=API_AUDIENCE, issuer=keycloak.issuer
        )
        assert verified["preferred_username"] == "admin.so"


def test_a_changed_user_attribute_shows_in_the_next_token_and_a_deleted_user_gets_none(
    keycloak: KeycloakProvider,
) -> None:
    username = f"test.{uuid.uuid4().hex[:8]}"
    keycloak.admin.create_user(username, roles=["school_principal"], attributes={"staff_code": ["T-1"]})
    assert claims(keycloak.password_token(username, DEMO_PASSWORD))["staff_code"] == "T-1"

    keycloak.admin.set_user_attribute(username, "staff_code", "T-2")
    access = claims(keycloak.password_token(username, DEMO_PASSWORD))
    assert access["staff_code"] == "T-2"
    assert access["roles"] == ["school_principal"]  # project roles only, not default-roles-edu-clusters

    keycloak.admin.delete_user(username)
    with pytest.raises(TokenRequestRefused) as refused:
        keycloak.password_token(username, DEMO_PASSWORD)
    assert refused.value.error == "invalid_grant"


def test_a_started_provider_keeps_its_database_in_its_own_home(keycloak: KeycloakProvider) -> None:
    launcher = keycloak.launcher
    if launcher is None:
        pytest.skip("KEYCLOAK_URL names a provider this session did not start")
    assert any((launcher.data_dir / "h2").glob("*.mv.db"))
    assert not (launcher.dist_dir / "data").exists()  # the shared distribution holds no state
    assert launcher.ensure_distribution() is False  # downloaded, unpacked and built once, then cached
