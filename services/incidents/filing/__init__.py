"""Filing an incident report (``POST /incidents``): validated, classified by the catalog, routed by the
registry replica, its escalations planned, and idempotent under an ``Idempotency-Key``."""
