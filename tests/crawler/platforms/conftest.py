"""Test setup for the platform adapters: the local fake platform server fixture."""

from __future__ import annotations

from fakes.platforms import fake_platforms  # noqa: F401  (fixture)
