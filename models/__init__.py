"""Shipped default models, installed as the package `assistant.core.models` (see pyproject.toml)."""
