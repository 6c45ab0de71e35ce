"""Shipped default models, installed as the package `assistant.models` (see pyproject.toml)."""
