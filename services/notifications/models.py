"""Every table of the notifications service, imported in one place so the schema is complete at start-up."""

from services.notifications.deliveries.models import Delivery, DeliveryAttempt, SourceEvent
from services.notifications.inbox.models import InboxItem
from services.notifications.preferences.models import PersonPreferences
from services.notifications.replica.models import (
    ClusterReplica,
    CommuneReplica,
    MembershipReplica,
    SchoolReplica,
    StaffReplica,
)
from services.notifications.rules.models import Rule
from services.notifications.tables import NOTIFICATIONS_METADATA
from services.notifications.templates.models import Template
from services.notifications.webhooks.models import Subscription

__all__ = [
    "NOTIFICATIONS_METADATA",
    "ClusterReplica",
    "CommuneReplica",
    "Delivery",
    "DeliveryAttempt",
    "InboxItem",
    "MembershipReplica",
    "PersonPreferences",
    "Rule",
    "SchoolReplica",
    "SourceEvent",
    "StaffReplica",
    "Subscription",
    "Template",
]
