"""Demo data: a default probe suite and a migration for the demo team's routes.

The probes fit the project's local upstream (``routing.local_upstream``): it answers
``Reply with exactly: X`` with X and ``What is A + B?`` with the sum, so a healthy open-source backend
scores 1.0 and one whose model name contains ``bad`` ("I am not sure.") scores 0.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from portal.models import Team

WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
]
SUMS = [
    (2, 3),
    (7, 5),
    (12, 30),
    (40, 2),
    (99, 1),
    (123, 456),
    (8, 8),
    (250, 750),
    (31, 11),
    (64, 36),
    (5, 95),
    (17, 4),
]


def default_suite_data(*, size: int = 24) -> dict[str, Any]:
    """A suite of ``size`` probes (half exact replies, half sums), in the import/export format."""
    probes: list[dict[str, Any]] = []
    for index in range(size):
        if index % 2 == 0:
            word = WORDS[(index // 2) % len(WORDS)] + ("" if index < 2 * len(WORDS) else str(index))
            probes.append(
                {
                    "name": f"exact reply {index // 2 + 1}",
                    "prompt": f"Reply with exactly: {word}",
                    "task_type": "extraction",
                    "checks": [
                        {"type": "equals", "value": word, "weight": 2},
                        {"type": "agreement", "mode": "exact", "weight": 1},
                    ],
                }
            )
        else:
            a, b = SUMS[(index // 2) % len(SUMS)]
            a += index // (2 * len(SUMS)) * 1000
            probes.append(
                {
                    "name": f"sum {index // 2 + 1}",
                    "prompt": f"What is {a} + {b}?",
                    "task_type": "classification",
                    "checks": [
                        {"type": "number", "value": a + b, "tolerance": 0, "weight": 2},
                        {"type": "regex", "pattern": r"^\s*-?\d+\s*$", "weight": 1},
                        {"type": "agreement", "mode": "overlap", "threshold": 0.8, "weight": 1},
                    ],
                }
            )
    return {
        "format": "modelwise.probe-suite/1",
        "name": "Default probes",
        "description": "",
        "probes": probes,
    }


def seed_demo(*, team: Team, users: dict[str, User]) -> list[str]:
    """Give every demo route that has both backends the default suite and a migration (idempotent)."""
    from probes.models import ProbeSuite
    from probes.services import migration_create, suite_import
    from routing.models import Route

    lines: list[str] = []
    routes = Route.objects.filter(
        team=team, proprietary_backend__isnull=False, open_source_backend__isnull=False
    ).select_related("team")
    for route in routes:
        if not ProbeSuite.objects.filter(route=route).exists():
            suite_import(team=team, route=route, data=default_suite_data())
        migration_create(route=route)
        lines.append(f"Probes: /t/{team.slug}/routes/{route.pk}/migration/ (route {route.name})")
    return lines
