"""Apps plug into the portal through hooks: URLs, navigation, demo data, periodic tasks, queues."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from catalog.tasks import refresh_prices
from portal.hooks import project_apps
from portal.management.commands.serve import WORKER_OPTIONS
from portal.schedules import PeriodicTaskSpec, periodic_task_specs, schedules_install

ROOT = Path(__file__).resolve().parents[2]


def test_the_project_apps_are_found_in_installed_order_without_portal_or_third_parties():
    assert [config.name for config in project_apps()] == ["catalog", "evaluations", "routing", "probes"]


def test_each_app_contributes_its_pages_api_and_navigation(bob_client):
    html = bob_client.get("/t/alpha/").content.decode()

    assert 'href="/catalog/"' in html and 'href="/catalog/matrix/"' in html  # catalog: the top bar
    assert 'href="/t/alpha/profiles/"' in html  # evaluations: the team menu
    assert bob_client.get("/api/catalog/models/").status_code == 200
    assert bob_client.get("/api/profiles/").status_code == 200


def test_the_home_page_shows_the_catalogs_section(bob_client):
    html = bob_client.get("/").content.decode()

    assert '<a href="/catalog/">Model catalog</a> · <a href="/catalog/matrix/">Capability matrix</a>' in html


@pytest.mark.django_db
def test_schedules_install_puts_every_apps_tasks_in_beats_schedule_once(capsys):
    call_command("schedules_install")
    call_command("schedules_install")
    out = capsys.readouterr().out

    task = PeriodicTask.objects.get(task="catalog.refresh_prices")
    assert task.name == "Refresh catalog API prices"
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("15", "3", "UTC")
    assert task.queue == "default"
    assert PeriodicTask.objects.filter(task="catalog.refresh_prices").count() == 1
    assert out.count("Scheduled Refresh catalog API prices (catalog.refresh_prices).") == 1
    assert out.count(f"Periodic tasks: {len(periodic_task_specs())} installed and up to date.") == 2


@pytest.mark.django_db
def test_a_changed_spec_updates_its_task_and_a_disabled_task_stays_disabled():
    spec = PeriodicTaskSpec(name="Probe round", task="probes.round", interval_seconds=300, queue="probes")
    schedules_install([spec])
    PeriodicTask.objects.filter(name="Probe round").update(enabled=False)

    lines = schedules_install([PeriodicTaskSpec(**{**spec.__dict__, "kwargs": {"route": 7}})])

    task = PeriodicTask.objects.get(name="Probe round")
    assert lines == ["Updated Probe round: kwargs."]
    assert (task.interval.every, task.queue, json.loads(task.kwargs)) == (300, "probes", {"route": 7})
    assert task.enabled is False
    assert schedules_install([PeriodicTaskSpec(**{**spec.__dict__, "kwargs": {"route": 7}})]) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "exactly one of crontab or interval_seconds"),
        ({"crontab": "15 3 * *"}, "five fields"),
        ({"interval_seconds": 0}, "at least 1"),
        ({"interval_seconds": 60, "queue": "fast"}, "queue must be one of default, probes"),
    ],
)
def test_a_malformed_spec_is_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        PeriodicTaskSpec(name="x", task="x.y", **fields)


def test_workers_listen_on_the_default_and_probes_queues():
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == ["default", "probes"]
    assert WORKER_OPTIONS[-2:] == ["--queues", "default,probes"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert compose["worker"]["command"] == "deploy/worker.sh"
    assert '--queues "${WORKER_QUEUES:-default,probes}"' in (ROOT / "deploy/worker.sh").read_text()
    assert compose["release"]["command"] == "deploy/release.sh"
    assert "python manage.py schedules_install" in (ROOT / "deploy/release.sh").read_text()
    assert "$(PY) manage.py schedules_install" in (ROOT / "Makefile").read_text()


def test_tasks_have_time_limits():
    assert (settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT) == (300, 360)
    assert (refresh_prices.soft_time_limit, refresh_prices.time_limit) == (120, 150)
