"""Tokens of the identity provider (RS256/ES256 against its JWKS) and scope from the registry.

The keys are real (generated here with ``cryptography``), and so is every signature; only the JWKS
document comes from a function instead of the provider's HTTP endpoint (the real provider is tested in
tests/integration/test_keycloak_provider.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import date, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from shared.auth import InvalidToken, Role
from shared.auth.authenticator import Authenticator
from shared.auth.identity import Identity
from shared.auth.jwks import MIN_REFRESH_INTERVAL_S, KeySet
from shared.auth.oidc import OidcVerifier
from shared.auth.scope import Membership, NotKnownToRegistry, PersonFacts, principal_for

ISSUER = "http://127.0.0.1:8080/realms/edu-clusters"
AUDIENCE = "edu-clusters-api"
TODAY = date(2026, 12, 1)


class Provider:
    """Signs like the identity provider and publishes its keys; can rotate them and go down."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[str, Any]] = {}
        self.down = False
        self.fetches = 0
        self.current = self.add_key("RS256")

    def add_key(self, algorithm: str) -> str:
        kid = uuid.uuid4().hex
        private: Any = (
            rsa.generate_private_key(public_exponent=65537, key_size=2048)
            if algorithm == "RS256"
            else ec.generate_private_key(ec.SECP256R1())
        )
        self.keys[kid] = (algorithm, private)
        return kid

    async def jwks(self) -> dict[str, Any]:
        self.fetches += 1
        if self.down:
            raise ValueError("connection refused")
        published = []
        for kid, (algorithm, private) in self.keys.items():
            codec = RSAAlgorithm if algorithm == "RS256" else ECAlgorithm
            jwk = json.loads(codec.to_jwk(private.public_key()))
            published.append({**jwk, "kid": kid, "alg": algorithm, "use": "sig"})
        return {"keys": published}

    def token(self, *, kid: str | None = None, **overrides: Any) -> str:
        kid = kid or self.current
        algorithm, private = self.keys[kid]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": [AUDIENCE, "account"],
            "sub": "3f0c6a1e-user",
            "iat": now,
            "exp": now + 300,
            "roles": ["cluster_leader", "offline_access"],
            "staff_code": "DEMO-C1-LEAD",
            "email": "cumtruong.1@demo.edu-clusters.vn",
            "name": "Nguyễn Văn Cụm",
        }
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, private, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
def provider() -> Provider:
    return Provider()


class Clock:
    """The key set's monotonic clock, moved by the tests."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(provider: Provider, clock: Clock) -> OidcVerifier:
    return OidcVerifier(issuer=ISSUER, audience=AUDIENCE, keys=KeySet(provider.jwks, clock=clock))


async def test_a_provider_token_names_the_person_and_their_roles(
    provider: Provider, verifier: OidcVerifier
) -> None:
    identity = await verifier.verify(provider.token())
    assert identity.roles == {Role.CLUSTER_LEADER}  # the provider's own roles are not ours
    assert (identity.staff_code, identity.email) == ("DEMO-C1-LEAD", "cumtruong.1@demo.edu-clusters.vn")
    assert identity.client_id is None


async def test_es256_is_accepted_too(provider: Provider, verifier: OidcVerifier) -> None:
    kid = provider.add_key("ES256")
    assert (await verifier.verify(provider.token(kid=kid))).staff_code == "DEMO-C1-LEAD"


def _public_pem(provider: Provider) -> bytes:
    _algorithm, private = provider.keys[provider.current]
    return bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _hs256_with_public_key(provider: Provider) -> str:
    claims = {
        "sub": "x",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(time.time()),
        "exp": int(time.time()) + 60,
    }
    header = {"alg": "HS256", "typ": "JWT", "kid": provider.current}

    # PyJWT refuses to HMAC-sign with a PEM key (its own guard), so the token is assembled by hand.
    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    signing_input = f"{part(header)}.{part(claims)}"
    signature = hmac.new(_public_pem(provider), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _without_kid(provider: Provider) -> str:
    _algorithm, private = provider.keys[provider.current]
    now = int(time.time())
    return jwt.encode(
        {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60}, private, algorithm="RS256"
    )


BAD_TOKENS = {
    "expired": (lambda p: p.token(iat=int(time.time()) - 900, exp=int(time.time()) - 600), "token expired"),
    "not yet valid": (lambda p: p.token(nbf=int(time.time()) + 600), "token not yet valid"),
    "wrong issuer": (lambda p: p.token(iss="http://evil/realms/edu-clusters"), "wrong issuer"),
    "wrong audience": (lambda p: p.token(aud="account"), "wrong audience"),
    "unknown kid": (
        lambda p: jwt.encode(
            {"sub": "x"},
            rsa.generate_private_key(public_exponent=65537, key_size=2048),
            algorithm="RS256",
            headers={"kid": "made-up"},
        ),
        "unknown signing key",
    ),
    "alg none": (
        lambda p: jwt.encode({"sub": "x", "iss": ISSUER, "aud": AUDIENCE}, None, algorithm="none"),
        "algorithm not allowed",
    ),
    # Algorithm confusion: the public key (which anyone may read) used as an HMAC secret.
    "HS256 with the public key": (_hs256_with_public_key, "algorithm not allowed"),
    "no kid": (lambda p: _without_kid(p), "token names no signing key (kid)"),
    "tampered": (lambda p: p.token()[:-4] + "AAAA", "bad signature"),
    "missing exp": (lambda p: p.token(exp=None), "missing claim exp"),
    "roles not a list": (lambda p: p.token(roles={"a": 1}), "claim roles must be a list of strings"),
}


@pytest.mark.parametrize("case", list(BAD_TOKENS))
async def test_bad_tokens_are_refused_with_their_reason(
    case: str, provider: Provider, verifier: OidcVerifier
) -> None:
    make, reason = BAD_TOKENS[case]
    token = make(provider)
    with pytest.raises(InvalidToken) as refused:
        await verifier.verify(token)
    assert refused.value.reason == reason


async def test_rotated_keys_verify_new_tokens_and_old_ones_until_they_expire(
    provider: Provider, verifier: OidcVerifier, clock: Clock
) -> None:
    old_token = provider.token()
    await verifier.verify(old_token)
    clock.now += MIN_REFRESH_INTERVAL_S
    provider.current = provider.add_key("RS256")  # the provider signs with a new key from now on
    new_token = provider.token(staff_code="DEMO-SO-ADMIN")
    assert jwt.get_unverified_header(new_token)["kid"] != jwt.get_unverified_header(old_token)["kid"]
    assert (await verifier.verify(new_token)).staff_code == "DEMO-SO-ADMIN"  # one refresh, no restart
    verifier._verified.clear()
    assert (await verifier.verify(old_token)).staff_code == "DEMO-C1-LEAD"


async def test_keys_held_keep_serving_while_the_provider_is_down(
    provider: Provider, verifier: OidcVerifier
) -> None:
    await verifier.verify(provider.token())
    provider.down = True
    await verifier.keys.refresh(force=True)  # fails, keeps what it had
    assert verifier.keys.loaded
    assert (await verifier.verify(provider.token(email="khac@demo"))).email == "khac@demo"


async def test_made_up_key_ids_cannot_hammer_the_provider(provider: Provider, verifier: OidcVerifier) -> None:
    await verifier.verify(provider.token())
    fetched = provider.fetches
    for _ in range(20):
        with pytest.raises(InvalidToken, match="unknown signing key"):
            await verifier.verify(BAD_TOKENS["unknown kid"][0](provider))
    assert provider.fetches - fetched <= 1


async def test_no_keys_at_all_says_so(provider: Provider, verifier: OidcVerifier) -> None:
    provider.down = True
    with pytest.raises(InvalidToken, match="keys are not available"):
        await verifier.verify(provider.token())


async def test_an_integration_client_acts_by_its_grants(provider: Provider, verifier: OidcVerifier) -> None:
    token = provider.token(
        sub="service-account-provincial-dms",
        azp="provincial-dms",
        roles=["integration_client"],
        grants=["cluster:1", "topic:incidents.events"],
        staff_code=None,
        email=None,
    )
    principal = await Authenticator(oidc=verifier, shared_secret=None).principal(token)
    assert (principal.role, principal.subject) == (Role.INTEGRATION_CLIENT, "provincial-dms")
    assert principal.scoped_clusters == {1}


# Scope from the registry -------------------------------------------------------------------------------

LEADER = PersonFacts(
    staff_code="DEMO-C1-LEAD",
    full_name="Nguyễn Văn Cụm",
    roles=frozenset({"principal"}),
    school_code="MAU00001",
    memberships=(Membership(1, "leader", date(2025, 7, 1)),),
)


def identity(*roles: Role, staff_code: str = "DEMO-C1-LEAD") -> Identity:
    return Identity(subject="sub", roles=frozenset(roles), staff_code=staff_code)


def test_a_leader_acts_for_the_cluster_the_registry_names() -> None:
    principal = principal_for(identity(Role.CLUSTER_LEADER), LEADER, today=TODAY)
    assert (principal.role, principal.cluster_no, principal.subject) == (
        Role.CLUSTER_LEADER,
        1,
        "DEMO-C1-LEAD",
    )


def test_a_leader_replaced_in_the_registry_loses_the_cluster_that_day() -> None:
    replaced = PersonFacts(
        **{
            **LEADER.__dict__,
            "memberships": (
                Membership(1, "leader", date(2025, 7, 1), TODAY - timedelta(1)),
                Membership(2, "leader", TODAY),
            ),
        }
    )
    assert principal_for(identity(Role.CLUSTER_LEADER), replaced, today=TODAY).cluster_no == 2
    ended = PersonFacts(**{**LEADER.__dict__, "memberships": replaced.memberships[:1]})
    with pytest.raises(
        NotKnownToRegistry, match=r"does not list Nguyễn Văn Cụm \(DEMO-C1-LEAD\) as cluster_leader"
    ):
        principal_for(identity(Role.CLUSTER_LEADER), ended, today=TODAY)


def test_the_first_role_the_registry_backs_is_taken() -> None:
    # The token says leader and principal; the registry backs both: the wider (leader) wins.
    both = principal_for(identity(Role.SCHOOL_PRINCIPAL, Role.CLUSTER_LEADER), LEADER, today=TODAY)
    assert both.role is Role.CLUSTER_LEADER
    # A token role the registry does not back is skipped for the next one it does.
    no_longer_leader = PersonFacts(**{**LEADER.__dict__, "memberships": ()})
    principal = principal_for(
        identity(Role.SCHOOL_PRINCIPAL, Role.CLUSTER_LEADER), no_longer_leader, today=TODAY
    )
    assert (principal.role, principal.school_id) == (Role.SCHOOL_PRINCIPAL, "MAU00001")


def test_commune_officers_and_department_staff_are_backed_by_their_registry_roles() -> None:
    officer = PersonFacts("DEMO-XA-001", "Lê Thị Xã", frozenset({"commune_officer"}), commune_code="16954")
    assert principal_for(identity(Role.COMMUNE_OFFICER), officer, today=TODAY).commune_code == "16954"
    official = PersonFacts("DEMO-SO-ADMIN", "Trần Sở", frozenset({"department_official"}))
    assert principal_for(identity(Role.DEPARTMENT_ADMIN), official, today=TODAY).sees_everything
    with pytest.raises(NotKnownToRegistry):
        principal_for(identity(Role.DEPARTMENT_ADMIN), officer, today=TODAY)


def test_unknown_and_inactive_people_are_told_why() -> None:
    with pytest.raises(NotKnownToRegistry, match="the registry knows no person NOBODY"):
        principal_for(identity(Role.CLUSTER_LEADER, staff_code="NOBODY"), None, today=TODAY)
    gone = PersonFacts(**{**LEADER.__dict__, "active": False})
    with pytest.raises(NotKnownToRegistry, match="no longer active"):
        principal_for(identity(Role.CLUSTER_LEADER), gone, today=TODAY)
