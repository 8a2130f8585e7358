"""Skriptoteket run queue on Procrastinate."""
