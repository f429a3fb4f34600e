"""Prepare a database for the gateway benchmark and print a gateway token.

    .venv/bin/python bench/gateway_setup.py --upstream http://127.0.0.1:18780/v1

Migrates the database named by DATABASE_URL (SQLite under MODELWISE_VAR_DIR by default), then makes
team "Bench" with one proprietary backend "fake-gpt" at the upstream (priced by a catalog model), a
default route named "fake-gpt" (so the harness's `"model": "fake-gpt"` selects it) and a new
gateway-only token, printed on stdout. Idempotent apart from the new token.
"""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from catalog.models import ModelOption  # noqa: E402
from portal.models import Team  # noqa: E402
from portal.services import api_token_create, team_create  # noqa: E402
from routing.models import Backend, Route  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="OpenAI-compatible base URL ending in /v1")
    args = parser.parse_args()
    call_command("migrate", verbosity=0, interactive=False)
    owner, _ = User.objects.get_or_create(username="bench-owner")
    team = Team.objects.filter(slug="bench").first() or team_create(name="Bench", owner=owner, slug="bench")
    priced, _ = ModelOption.objects.get_or_create(
        name="Bench GPT",
        defaults={
            "kind": "proprietary",
            "input_price_per_mtok": Decimal("10"),
            "output_price_per_mtok": Decimal("30"),
        },
    )
    backend, _ = Backend.objects.update_or_create(
        team=team,
        name="fake-gpt",
        defaults={
            "kind": "proprietary",
            "base_url": args.upstream,
            "upstream_model": "fake-gpt",
            "catalog_model": priced,
            "api_key_env": "",
        },
    )
    Route.objects.update_or_create(
        team=team,
        name="fake-gpt",
        defaults={"is_default": True, "proprietary_backend": backend, "open_source_share": 0},
    )
    print(api_token_create(team=team, name="bench", access="gateway", created_by=owner)[1])


if __name__ == "__main__":
    main()
