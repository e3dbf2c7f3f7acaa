"""Test helpers for the eventkit-based services (import explicitly; nothing is auto-registered)."""
