"""Registers the ``sql`` repository backend (placeholder until the adapter lands)."""
