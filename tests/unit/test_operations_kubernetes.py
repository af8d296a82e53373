"""The manifests under deploy/kubernetes/ (Strimzi Kafka, several replicas of each service).

- Kubernetes' own kinds are validated with kubernetes-validate (PyPI), which ships the JSON Schemas of
  the Kubernetes API, in strict mode (unknown fields are errors).
- Strimzi's kinds (kafka.strimzi.io/v1beta2) have no schema on PyPI: they are checked against
  STRIMZI_SCHEMAS below, a subset of the operator's CRD schemas written from its reference (the fields
  these manifests use, their types and enums; unknown fields refused where the CRD refuses them).
- The manifests are also checked against the code: a KafkaTopic per topic with the same cleanup policy,
  and each service's Kafka user allowed what its AsyncAPI document says it publishes and consumes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from cli.services import built_services
from shared.events.topics import ALL_TOPICS, dead_letter_topic
from tests.support.operations import PROMETHEUS_DIR, REPO_ROOT

KUBERNETES_DIR = REPO_ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.33"

_QUANTITY = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
_RESOURCES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "requests": {"type": "object", "additionalProperties": _QUANTITY},
        "limits": {"type": "object", "additionalProperties": _QUANTITY},
    },
}
_VOLUME = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type"],
    "properties": {
        "id": {"type": "integer", "minimum": 0},
        "type": {"enum": ["ephemeral", "persistent-claim"]},
        "size": {"type": "string"},
        "class": {"type": "string"},
        "deleteClaim": {"type": "boolean"},
        "kraftMetadata": {"enum": ["shared"]},
    },
}
_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "labels": {"type": "object"},
        "annotations": {"type": "object"},
    },
}
_CLUSTER_LABEL = {"required": ["labels"], "properties": {"labels": {"required": ["strimzi.io/cluster"]}}}
STRIMZI_SCHEMAS: dict[str, dict[str, Any]] = {
    "KafkaNodePool": {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "metadata": {**_METADATA, **_CLUSTER_LABEL},
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "required": ["replicas", "roles", "storage"],
                "properties": {
                    "replicas": {"type": "integer", "minimum": 0},
                    "roles": {"type": "array", "minItems": 1, "items": {"enum": ["controller", "broker"]}},
                    "storage": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["type"],
                        "properties": {
                            "type": {"enum": ["jbod", "ephemeral", "persistent-claim"]},
                            "volumes": {"type": "array", "items": _VOLUME},
                        },
                    },
                    "resources": _RESOURCES,
                    "jvmOptions": {"type": "object"},
                    "template": {"type": "object"},
                },
            },
        },
    },
    "Kafka": {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "metadata": _METADATA,
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kafka"],
                "properties": {
                    "kafka": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["listeners"],
                        "properties": {
                            "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
                            "metadataVersion": {"type": "string"},
                            "listeners": {
                                "type": "array",
                                "minItems": 1,
                                "items": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["name", "port", "type", "tls"],
                                    "properties": {
                                        "name": {"type": "string", "pattern": "^[a-z0-9]{1,11}$"},
                                        "port": {"type": "integer", "minimum": 9092},
                                        "type": {
                                            "enum": [
                                                "internal",
                                                "route",
                                                "loadbalancer",
                                                "nodeport",
                                                "ingress",
                                                "cluster-ip",
                                            ]
                                        },
                                        "tls": {"type": "boolean"},
                                        "authentication": {
                                            "type": "object",
                                            "required": ["type"],
                                            "properties": {
                                                "type": {"enum": ["tls", "scram-sha-512", "oauth", "custom"]}
                                            },
                                        },
                                        "configuration": {"type": "object"},
                                    },
                                },
                            },
                            "authorization": {
                                "type": "object",
                                "required": ["type"],
                                "properties": {"type": {"enum": ["simple", "opa", "keycloak", "custom"]}},
                            },
                            "config": {
                                "type": "object",
                                "additionalProperties": {"type": ["string", "integer", "boolean", "number"]},
                            },
                            "rack": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["topologyKey"],
                                "properties": {"topologyKey": {"type": "string"}},
                            },
                            "resources": _RESOURCES,
                            "metricsConfig": {"type": "object"},
                            "template": {"type": "object"},
                        },
                    },
                    "entityOperator": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "topicOperator": {"type": "object"},
                            "userOperator": {"type": "object"},
                            "template": {"type": "object"},
                        },
                    },
                    "cruiseControl": {"type": "object"},
                    "kafkaExporter": {"type": "object"},
                },
            },
        },
    },
    "KafkaTopic": {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "metadata": {**_METADATA, **_CLUSTER_LABEL},
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "topicName": {"type": "string"},
                    "partitions": {"type": "integer", "minimum": 1},
                    "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
                    "config": {
                        "type": "object",
                        "additionalProperties": {"type": ["string", "integer", "boolean", "number"]},
                    },
                },
            },
        },
    },
    "KafkaUser": {
        "type": "object",
        "required": ["spec"],
        "properties": {
            "metadata": {**_METADATA, **_CLUSTER_LABEL},
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "authentication": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["tls", "tls-external", "scram-sha-512"]}},
                    },
                    "authorization": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["type", "acls"],
                        "properties": {
                            "type": {"enum": ["simple"]},
                            "acls": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["resource", "operations"],
                                    "properties": {
                                        "type": {"enum": ["allow", "deny"]},
                                        "host": {"type": "string"},
                                        "resource": {
                                            "type": "object",
                                            "additionalProperties": False,
                                            "required": ["type"],
                                            "properties": {
                                                "type": {
                                                    "enum": ["topic", "group", "cluster", "transactionalId"]
                                                },
                                                "name": {"type": "string"},
                                                "patternType": {"enum": ["literal", "prefix"]},
                                            },
                                        },
                                        "operations": {
                                            "type": "array",
                                            "minItems": 1,
                                            "items": {
                                                "enum": [
                                                    "Read",
                                                    "Write",
                                                    "Create",
                                                    "Delete",
                                                    "Alter",
                                                    "Describe",
                                                    "ClusterAction",
                                                    "AlterConfigs",
                                                    "DescribeConfigs",
                                                    "IdempotentWrite",
                                                    "All",
                                                ]
                                            },
                                        },
                                    },
                                },
                            },
                        },
                    },
                    "quotas": {"type": "object"},
                },
            },
        },
    },
}


def manifests() -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(KUBERNETES_DIR.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text()):
            if document:
                yield path, document


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [document for _, document in manifests() if document["kind"] == kind]


def test_kubernetes_kinds_are_valid_against_the_api_schemas() -> None:
    checked = 0
    for path, document in manifests():
        if document["apiVersion"].startswith(("kafka.strimzi.io/", "kustomize.config.k8s.io/")):
            continue
        try:
            kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{path.name}: {document['kind']}/{document['metadata']['name']}: {error.message}")
        checked += 1
    assert checked >= 13


def test_strimzi_kinds_are_valid_against_the_strimzi_schemas() -> None:
    strimzi = [
        (path, document)
        for path, document in manifests()
        if document["apiVersion"].startswith("kafka.strimzi.io/")
    ]
    assert {document["kind"] for _, document in strimzi} == set(STRIMZI_SCHEMAS)
    for path, document in strimzi:
        assert document["apiVersion"] == "kafka.strimzi.io/v1beta2"
        errors = list(
            jsonschema.Draft202012Validator(STRIMZI_SCHEMAS[document["kind"]]).iter_errors(document)
        )
        assert not errors, f"{path.name}: {document['metadata']['name']}: " + "; ".join(
            e.message for e in errors
        )


def test_the_schema_check_catches_a_mistake() -> None:
    topic = by_kind("KafkaTopic")[0]
    broken = {**topic, "spec": {**topic["spec"], "replicas": "three", "partiions": 6}}
    errors = list(jsonschema.Draft202012Validator(STRIMZI_SCHEMAS["KafkaTopic"]).iter_errors(broken))
    assert len(errors) == 2
    deployment = by_kind("Deployment")[0]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(
            {**deployment, "spec": {**deployment["spec"], "replica": 3}}, KUBERNETES_VERSION, strict=True
        )


def test_kafka_runs_three_brokers_and_three_controllers_and_tolerates_losing_one() -> None:
    (kafka,) = by_kind("Kafka")
    pools = {pool["metadata"]["name"]: pool for pool in by_kind("KafkaNodePool")}
    brokers = sum(pool["spec"]["replicas"] for pool in pools.values() if "broker" in pool["spec"]["roles"])
    controllers = sum(
        pool["spec"]["replicas"] for pool in pools.values() if "controller" in pool["spec"]["roles"]
    )
    assert brokers >= 3 and controllers % 2 == 1 and controllers >= 3
    assert all(
        pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        for pool in pools.values()
    )
    config = kafka["spec"]["kafka"]["config"]
    assert config["min.insync.replicas"] < config["default.replication.factor"] <= brokers
    assert config["auto.create.topics.enable"] is False
    for topic in by_kind("KafkaTopic"):
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"]
        assert topic["spec"]["config"]["min.insync.replicas"] < topic["spec"]["replicas"] <= brokers


def test_there_is_a_topic_for_every_topic_of_the_code_with_its_cleanup_policy() -> None:
    declared = {topic["spec"]["topicName"]: topic["spec"] for topic in by_kind("KafkaTopic")}
    expected = [*ALL_TOPICS, *(dead_letter_topic(service.name) for service in built_services())]
    assert set(declared) == {spec.name for spec in expected}
    for spec in expected:
        config = declared[spec.name]["config"]
        assert config["cleanup.policy"] == spec.topic_configs()["cleanup.policy"], spec.name


def test_each_service_has_replicas_and_a_kafka_user_allowed_what_its_asyncapi_says() -> None:
    users = {user["metadata"]["name"]: user for user in by_kind("KafkaUser")}
    deployments = {deployment["metadata"]["name"]: deployment for deployment in by_kind("Deployment")}
    for service in built_services():
        assert deployments[service.name]["spec"]["replicas"] >= 2
        document = json.loads((REPO_ROOT / "contract" / "asyncapi" / f"{service.name}.json").read_text())
        needs = {
            (channel["address"], "Read" if ":consume" in name else "Write")
            for name, channel in document["channels"].items()
        } | {(f"{service.name}.dead-letter", "Write")}
        granted = {
            (acl["resource"]["name"], operation)
            for acl in users[service.name]["spec"]["authorization"]["acls"]
            if acl["resource"]["type"] == "topic"
            for operation in acl["operations"]
        }
        assert needs <= granted, f"{service.name} lacks {sorted(needs - granted)}"
        groups = [
            acl
            for acl in users[service.name]["spec"]["authorization"]["acls"]
            if acl["resource"]["type"] == "group"
        ]
        assert groups == [
            {
                "resource": {"type": "group", "name": f"{service.name}.", "patternType": "prefix"},
                "operations": ["Read"],
            }
        ]


def test_the_kubernetes_scrape_config_is_valid() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is missing: run `bash deploy/local/ensure-prometheus.sh`")
    result = subprocess.run(
        [promtool, "check", "config", str(PROMETHEUS_DIR / "prometheus-kubernetes.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    if "kubernetes_sd_configs not found" in result.stdout + result.stderr:
        pytest.skip("this promtool (Debian's build) has no Kubernetes service discovery to check it against")
    assert result.returncode == 0, result.stdout + result.stderr
