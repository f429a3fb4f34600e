"""The ladder holds: `lint-imports` keeps every contract on this tree, and breaks one when a back-edge
appears. Each case copies the code to a temporary folder, adds one bad import, and lints the copy."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "catalog", "evaluations", "routing", "probes")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(folder: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    # The copy comes first on the path, ahead of the editable install of the real tree.
    env = {**os.environ, "PYTHONPATH": str(folder)}
    return subprocess.run(
        [
            str(LINT_IMPORTS),
            "--no-cache",
            *(option for contract in contracts for option in ("--contract", contract)),
            str(folder / "pyproject.toml"),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_every_contract():
    result = _lint(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _add_import(tree: Path, module: str, statement: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    path.write_text((path.read_text() if path.exists() else "") + f"\n{statement}\n")


def test_probes_may_use_routing_catalog_and_portal(tree):
    _add_import(tree, "probes.selectors", "import routing.models, catalog.vocabulary, portal.tokens")

    result = _lint(tree)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        ("catalog.models", "import evaluations.scoring", "ladder"),
        ("catalog.selectors", "from routing import models", "ladder"),
        ("evaluations.views", "import routing.services", "ladder"),
        ("routing.services", "from evaluations import selectors", "ladder"),
        ("evaluations.selectors", "import probes.policy", "ladder"),
        ("probes.policy", "import evaluations.costing", "probes"),
        ("portal.views", "from catalog.selectors import model_options_list", "portal"),
        ("portal.hooks", "import evaluations.demo", "portal"),
        ("evaluations.scoring", "from django.db import models", "pure"),
        ("catalog.vocabulary", "import rest_framework", "pure"),
        ("portal.tokens", "from django.conf import settings", "pure"),
        ("probes.policy", "from django.db import models", "pure"),
        ("probes.checks", "import routing.models", "pure"),
        ("portal.views", "import probes.selectors", "portal"),
    ],
)
def test_a_back_edge_breaks_its_contract(tree, module, statement, contract):
    assert _lint(tree, contract).returncode == 0

    _add_import(tree, module, statement)
    result = _lint(tree, contract)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "0 kept, 1 broken" in result.stdout
    assert f"{module} -> " in result.stdout  # the report names the offending import
