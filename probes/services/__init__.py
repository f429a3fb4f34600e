"""Writes for probes and migrations; tasks, pages and the API all call these."""

from __future__ import annotations

from probes.services.migrations import (
    MIGRATION_SETTINGS,
    migration_create,
    migration_pause,
    migration_resume,
    migration_rollback,
    migration_set_share,
    migration_update,
    policy_settings,
)
from probes.services.rounds import (
    migration_apply_probe_round,
    probe_round_fail,
    probe_round_run,
    probe_round_start,
    probe_rounds_requeue_stale,
    schedule_slot_key,
)
from probes.services.suites import (
    PROBE_FIELDS,
    SUITE_FORMAT,
    probe_clean,
    probe_create,
    probe_delete,
    probe_update,
    suite_create,
    suite_export,
    suite_import,
    suite_update,
)

__all__ = [
    "MIGRATION_SETTINGS",
    "PROBE_FIELDS",
    "SUITE_FORMAT",
    "migration_apply_probe_round",
    "migration_create",
    "migration_pause",
    "migration_resume",
    "migration_rollback",
    "migration_set_share",
    "migration_update",
    "policy_settings",
    "probe_clean",
    "probe_create",
    "probe_delete",
    "probe_round_fail",
    "probe_round_run",
    "probe_round_start",
    "probe_rounds_requeue_stale",
    "probe_update",
    "schedule_slot_key",
    "suite_create",
    "suite_export",
    "suite_import",
    "suite_update",
]
