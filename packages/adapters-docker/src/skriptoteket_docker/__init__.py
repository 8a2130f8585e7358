"""Skriptoteket Docker runner backend (hardened sibling containers with a warm pool)."""
