"""Shared fixtures: paths and a few ready-made reviews."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def policy():
    from clinic_reviews.domain.policy import load_policy

    return load_policy(ROOT / "samples" / "policy.yaml")
