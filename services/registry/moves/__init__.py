"""Moves of communes between clusters, dated ahead or not; the commune's schools follow (above schools)."""
