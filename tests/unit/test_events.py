"""Event schemas, the catalog and the CloudEvents envelope, without Kafka."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from shared.events import ClusterStateV1, Envelope, InvalidEnvelope, spec_for_type
from shared.events.base import EventPayload, event_type
from shared.events.envelope import kafka_headers
from shared.events.topics import ALL_TOPICS, REGISTRY_CLUSTERS, TopicNaming
from shared.messaging.incoming import InvalidMessage, decode_record

NOW = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def cluster(**changes: object) -> ClusterStateV1:
    fields: dict[str, object] = {
        "cluster_no": 3,
        "name": "Cụm chuyên môn số 3",
        "office_host_unit": "Trung tâm GDTX Quỳ Châu",
        "version": 2,
        "updated_at": NOW,
    }
    return ClusterStateV1.model_validate({**fields, **changes})


@dataclass
class FakeRecord:
    """The fields of an aiokafka ConsumerRecord that decoding reads."""

    value: bytes | None
    headers: list[tuple[str, bytes]] = field(default_factory=list)
    topic: str = REGISTRY_CLUSTERS.name
    key: bytes | None = b"3"


def record_of(event: ClusterStateV1, **header_changes: str | None) -> FakeRecord:
    envelope = Envelope(
        id="e-1", type=event.event_type, source="/edu-clusters/registry", time=NOW, subject=event.subject()
    )
    headers = {**envelope.to_headers(), **header_changes}
    return FakeRecord(
        value=event.model_dump_json().encode(),
        headers=[(name, value.encode()) for name, value in headers.items() if value is not None],
    )


def test_an_event_class_knows_its_type_topic_key_and_subject() -> None:
    event = cluster()
    assert event.event_type == "vn.gov.nghean.edu.registry.cluster.v1"
    assert event.topic is REGISTRY_CLUSTERS
    assert (event.message_key(), event.subject()) == ("3", "cluster/3")
    assert spec_for_type(event.event_type).model is ClusterStateV1  # type: ignore[union-attr]


def test_event_types_must_be_versioned_and_keyed_by_a_real_field() -> None:
    with pytest.raises(ValueError, match="v<N>"):
        event_type("registry.cluster", topic=REGISTRY_CLUSTERS, key="cluster_no")
    with pytest.raises(ValueError, match="no field 'missing'"):

        @event_type("tests.keyless.v1", topic=REGISTRY_CLUSTERS, key="missing")
        class Keyless(EventPayload):
            name: str


def test_envelope_round_trips_through_headers_in_rfc3339_utc() -> None:
    envelope = Envelope(
        id="e-1",
        type="t.v1",
        source="/s",
        time=NOW,
        subject="cluster/3",
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    headers = envelope.to_headers()
    assert headers["ce_time"] == "2026-11-23T08:30:00.000000Z"
    assert headers["ce_specversion"] == "1.0"
    assert headers["content-type"] == "application/json"
    assert Envelope.from_headers(headers) == envelope


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (
            {"ce_type": "t", "ce_source": "/s", "ce_specversion": "1.0"},
            r"missing CloudEvents header\(s\): ce_id",
        ),
        (
            {"ce_id": "1", "ce_type": "t", "ce_source": "/s", "ce_specversion": "0.3"},
            "unsupported ce_specversion",
        ),
        (
            {
                "ce_id": "1",
                "ce_type": "t",
                "ce_source": "/s",
                "ce_specversion": "1.0",
                "ce_time": "yesterday",
            },
            "not an RFC 3339 timestamp",
        ),
    ],
)
def test_envelope_rejects_what_is_not_cloudevents(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(InvalidEnvelope, match=reason):
        Envelope.from_headers(headers)


def test_a_valid_record_decodes_to_its_event() -> None:
    incoming = decode_record(record_of(cluster()), topic=REGISTRY_CLUSTERS.name)
    assert incoming.event == cluster()
    assert (incoming.envelope.id, incoming.key) == ("e-1", "3")


def test_unknown_fields_are_ignored_so_producers_can_add_optional_ones() -> None:
    record = record_of(cluster())
    record.value = record.value[:-1] + b', "added_later": true}'  # type: ignore[index]
    assert decode_record(record, topic=REGISTRY_CLUSTERS.name).event == cluster()


def test_a_tombstone_decodes_to_none_on_a_compacted_topic() -> None:
    record = record_of(cluster(), **{"content-type": None})
    record.value = None
    incoming = decode_record(record, topic=REGISTRY_CLUSTERS.name)
    assert incoming.event is None
    assert incoming.key == "3"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda r: setattr(r, "value", b"not json"), "body is not valid JSON"),
        (lambda r: setattr(r, "value", b'{"cluster_no": "three"}'), "body does not match .*cluster_no: "),
        (lambda r: setattr(r, "topic", "registry.schools"), "does not belong on topic 'registry.schools'"),
        (
            lambda r: setattr(r, "headers", [*r.headers, ("ce_subject", b"\xff")]),
            "'ce_subject' is not valid UTF-8",
        ),
        (lambda r: setattr(r, "key", None) or setattr(r, "value", None), "tombstone"),
    ],
)
def test_malformed_records_are_refused_with_a_reason(mutate: object, reason: str) -> None:
    record = record_of(cluster())
    mutate(record)  # type: ignore[operator]
    with pytest.raises(InvalidMessage, match=reason):
        decode_record(record, topic=record.topic)


def test_an_unknown_type_is_refused() -> None:
    record = record_of(cluster(), ce_type="vn.gov.nghean.edu.nobody.thing.v1")
    with pytest.raises(InvalidMessage, match="unknown event type"):
        decode_record(record, topic=REGISTRY_CLUSTERS.name)


def test_registry_topics_are_compacted_and_event_topics_are_not() -> None:
    compacted = {spec.name for spec in ALL_TOPICS if spec.compacted}
    assert compacted == {"registry.clusters", "registry.communes", "registry.schools", "registry.staff",
                         "registry.offices"}  # fmt: skip
    assert REGISTRY_CLUSTERS.topic_configs()["cleanup.policy"] == "compact"


def test_topic_naming_prefixes_and_strips() -> None:
    naming = TopicNaming("staging.")
    assert naming.physical("registry.clusters") == "staging.registry.clusters"
    assert naming.logical("staging.registry.clusters") == "registry.clusters"


def test_kafka_headers_are_the_envelopes_headers_encoded() -> None:
    """The relay builds its rows' headers without an envelope; they must be the envelope's own."""
    full = Envelope(
        id="e-1",
        type="vn.gov.nghean.edu.incidents.incident.reported.v1",
        source="/edu-clusters/incidents",
        time=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
        subject="incidents/abc",
        traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01",
    )
    bare = Envelope(id="e-2", type="t", source="/s", time=None, content_type=None)
    for envelope in (full, bare):
        listed = kafka_headers(
            id=envelope.id,
            type=envelope.type,
            source=envelope.source,
            time=envelope.time,
            subject=envelope.subject,
            content_type=envelope.content_type,
            traceparent=envelope.traceparent,
        )
        assert listed == envelope.kafka_headers()
        assert Envelope.from_headers({name: value.decode() for name, value in listed}) == envelope
    assert dict(full.kafka_headers())["ce_time"] == b"2026-12-02T09:30:00.000000Z"
