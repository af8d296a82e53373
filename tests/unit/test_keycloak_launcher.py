"""The Keycloak launcher's choices that need no server (its JDK, its ports, its version), and the realm
file's token contract, checked statically so that an edit that breaks it fails without starting Keycloak."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy.local.kafka import REPO_ROOT
from deploy.local.keycloak import (
    HOST,
    KEYCLOAK_POM,
    REALM_FILE,
    KeycloakLauncher,
    KeycloakLauncherError,
    find_java_home,
    java_home_version,
    keycloak_version,
    port_is_free,
)
from shared.auth.roles import Role


def fake_jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\n")
    (home / "release").write_text(f'IMPLEMENTOR="Test"\nJAVA_VERSION="{version}"\n')
    return home


def test_the_release_file_gives_the_version_without_starting_a_jvm(tmp_path: Path) -> None:
    assert java_home_version(fake_jdk(tmp_path, "a", "25.0.1")) == (25, 0, 1)
    assert java_home_version(fake_jdk(tmp_path, "b", "1.8.0_452")) == (8, 0, 452)
    assert java_home_version(tmp_path / "missing") is None


def test_the_newest_jdk_of_at_least_21_is_found(tmp_path: Path) -> None:
    fake_jdk(tmp_path, "java-17", "17.0.15")
    fake_jdk(tmp_path, "java-21", "21.0.7")
    newest = fake_jdk(tmp_path, "temurin-25", "25.0.1")
    (tmp_path / "java-1.25-alias").symlink_to(newest)
    assert find_java_home({}, jvm_dir=tmp_path) == newest.resolve()


def test_keycloak_java_home_wins_and_must_be_new_enough(tmp_path: Path) -> None:
    fake_jdk(tmp_path / "jvm", "temurin-25", "25.0.1")
    chosen = fake_jdk(tmp_path, "jdk-21", "21.0.7")
    assert find_java_home({"KEYCLOAK_JAVA_HOME": str(chosen)}, jvm_dir=tmp_path / "jvm") == chosen
    old = fake_jdk(tmp_path, "jdk-17", "17.0.15")
    with pytest.raises(KeycloakLauncherError, match=r"holds Java 17\.0\.15; Keycloak needs Java 21\+"):
        find_java_home({"KEYCLOAK_JAVA_HOME": str(old)}, jvm_dir=tmp_path / "jvm")


def test_a_java_home_of_17_is_passed_over_for_a_newer_jdk(tmp_path: Path) -> None:
    old = fake_jdk(tmp_path, "java-17", "17.0.15")
    newer = fake_jdk(tmp_path, "java-21", "21.0.7")
    assert find_java_home({"JAVA_HOME": str(old)}, jvm_dir=tmp_path) == newer.resolve()


def test_no_jdk_of_21_is_one_clear_sentence(tmp_path: Path) -> None:
    fake_jdk(tmp_path, "java-17", "17.0.15")
    with pytest.raises(KeycloakLauncherError) as raised:
        find_java_home({}, jvm_dir=tmp_path)
    assert raised.value.message.startswith("Java 21+ is required to run Keycloak")
    assert "KEYCLOAK_JAVA_HOME" in raised.value.message


def test_the_command_line_reports_a_wrong_jdk_in_one_line(tmp_path: Path) -> None:
    jdk = fake_jdk(tmp_path, "jdk-17", "17.0.15")
    command = ["-m", "deploy.local.keycloak", "start", "--dir", str(tmp_path / "kc"), "--java-home", str(jdk)]
    result = subprocess.run(
        [sys.executable, *command], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: Java 21+ is required to run Keycloak")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_port_somebody_listens_on_is_not_free_and_a_closed_one_is() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind((HOST, 0))
        server.listen()
        port = server.getsockname()[1]
        assert not port_is_free(port)
    assert port_is_free(port)


def test_the_version_is_named_once_in_the_pom(tmp_path: Path) -> None:
    version = keycloak_version(KEYCLOAK_POM)
    assert version.split(".")[0] == "26"
    launcher = KeycloakLauncher(tmp_path)
    assert launcher.dist_dir.name == f"keycloak-{version}"
    assert launcher.zip_file.name == f"keycloak-quarkus-dist-{version}.zip"


def test_addresses_are_known_only_once_the_ports_are_chosen(tmp_path: Path) -> None:
    with pytest.raises(KeycloakLauncherError, match="start it first"):
        _ = KeycloakLauncher(tmp_path).issuer
    assert KeycloakLauncher(tmp_path, port=8080).issuer == "http://127.0.0.1:8080/realms/edu-clusters"


# ----- the realm file --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REALM_FILE.read_text())
    return loaded


def client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    return next(c for c in realm["clients"] if c["clientId"] == client_id)


def mappers(realm: dict[str, Any], scope: str) -> dict[str, dict[str, Any]]:
    found = next(s for s in realm["clientScopes"] if s["name"] == scope)
    return {m["name"]: m for m in found["protocolMappers"]}


def test_the_realm_has_the_project_roles_and_a_300_second_access_token(realm: dict[str, Any]) -> None:
    assert realm["realm"] == "edu-clusters"
    assert realm["accessTokenLifespan"] == 300
    assert {role["name"] for role in realm["roles"]["realm"]} == {role.value for role in Role}


def test_every_client_gets_the_api_scope_and_only_project_roles(realm: dict[str, Any]) -> None:
    api = mappers(realm, "edu-clusters-api")
    assert api["audience edu-clusters-api"]["config"]["included.custom.audience"] == "edu-clusters-api"
    roles = api["realm roles as roles"]
    assert roles["protocolMapper"] == "oidc-usermodel-realm-role-mapper"
    assert roles["config"]["claim.name"] == "roles"
    assert roles["config"]["multivalued"] == "true"
    assert api["staff code"]["config"]["user.attribute"] == "staff_code"
    for each in realm["clients"]:
        assert "edu-clusters-api" in each["defaultClientScopes"], each["clientId"]
        assert each["fullScopeAllowed"] is False, each["clientId"]
    [mapping] = realm["scopeMappings"]
    assert mapping["clientScope"] == "edu-clusters-api"
    assert set(mapping["roles"]) == {role["name"] for role in realm["roles"]["realm"]}


def test_the_console_is_confidential_code_flow_only_with_pkce_s256(realm: dict[str, Any]) -> None:
    console = client(realm, "edu-clusters-console")
    assert console["publicClient"] is False
    assert console["standardFlowEnabled"] is True
    assert console["implicitFlowEnabled"] is False
    assert console["directAccessGrantsEnabled"] is False
    assert console["serviceAccountsEnabled"] is False
    assert console["attributes"]["pkce.code.challenge.method"] == "S256"


def test_the_cli_is_public_with_the_device_grant(realm: dict[str, Any]) -> None:
    cli = client(realm, "edu-clusters-cli")
    assert cli["publicClient"] is True
    assert cli["standardFlowEnabled"] is False
    assert cli["attributes"]["oauth2.device.authorization.grant.enabled"] == "true"
    assert "development" in cli["description"]


def test_the_integration_client_has_only_client_credentials_and_json_grants(realm: dict[str, Any]) -> None:
    dms = client(realm, "provincial-dms")
    assert dms["serviceAccountsEnabled"] is True
    assert not (dms["standardFlowEnabled"] or dms["directAccessGrantsEnabled"] or dms["publicClient"])
    grants = next(m for m in dms["protocolMappers"] if m["name"] == "grants")
    assert grants["config"]["jsonType.label"] == "JSON"
    assert json.loads(grants["config"]["claim.value"]) == ["cluster:1", "topic:incidents.events"]
    account = next(u for u in realm["users"] if u.get("serviceAccountClientId") == "provincial-dms")
    assert account["realmRoles"] == ["integration_client"]


def test_every_demo_user_has_one_role_a_staff_code_and_a_demo_email(realm: dict[str, Any]) -> None:
    people = [user for user in realm["users"] if "serviceAccountClientId" not in user]
    assert {user["username"] for user in people} == {
        "admin.so", "canbo.so", "cumtruong.1", "thanhvien.1", "hieutruong.mau", "canbo.xa",
    }  # fmt: skip
    for user in people:
        assert len(user["realmRoles"]) == 1
        assert user["attributes"]["staff_code"][0].startswith("DEMO-")
        assert user["email"] == f"{user['username']}@demo.edu-clusters.vn"
        assert user["attributes"]["full_name"] == [f"{user['lastName']} {user['firstName']}"]
