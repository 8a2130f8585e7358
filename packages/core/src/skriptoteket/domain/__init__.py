"""Entities, value objects, state machines and policies. Standard library and attrs only; no I/O."""
