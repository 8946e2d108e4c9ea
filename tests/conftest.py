"""Shared fixtures: the sample articles built once into a store, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "articles"
GOLD = ROOT / "seeds" / "gold"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "reasoner: runs the HermiT OWL reasoner (Java, ~1 s per call)")
    config.addinivalue_line("markers", "scale: Dask, Oxigraph server and Virtuoso (tests/test_scale.py)")


@pytest.fixture(scope="session")
def seed_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the five samples, built through the real command line once per session."""
    from confkg.cli import main

    store = tmp_path_factory.mktemp("seed-store") / "store"
    result = CliRunner().invoke(main, ["build", str(SEEDS), "--store", str(store), "--quiet"])
    assert result.exit_code == 0, result.output
    return store


@pytest.fixture()
def seed_store_copy(seed_store_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample store, for tests that change it."""
    target = tmp_path / "store"
    shutil.copytree(seed_store_dir, target)
    return target


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()
