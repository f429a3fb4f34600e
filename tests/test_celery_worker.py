"""A real Celery worker consumes from the configured broker (Redis in CI, the filesystem locally)."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker

from catalog.models import ModelOption
from catalog.tasks import refresh_prices
from portal.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def worker_app(tmp_path_factory):
    if app.conf.broker_url.startswith("filesystem://"):
        # A private queue folder, so a development worker never steals the test's message. One per
        # module: the app's producer pool keeps the first folder it connected with.
        folder = tmp_path_factory.mktemp("celery")
        (folder / "queue").mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
        }
    app.conf.task_always_eager = False
    return app


def _wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_scheduled_price_refresh_runs_on_a_real_worker(worker_app, article_catalog):
    ModelOption.objects.filter(name="Claude 3 Opus").update(input_price_per_mtok=Decimal("1"))
    with start_worker(worker_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        refresh_prices.delay()
        done = _wait_for(
            lambda: ModelOption.objects.get(name="Claude 3 Opus").input_price_per_mtok == Decimal("15")
        )
    assert done, "the worker did not refresh the price within 20 s"


def test_a_task_sent_to_the_probes_queue_runs_on_the_same_worker(worker_app, article_catalog):
    ModelOption.objects.filter(name="Claude 3 Opus").update(input_price_per_mtok=Decimal("1"))
    with start_worker(worker_app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        refresh_prices.apply_async(queue="probes")
        done = _wait_for(
            lambda: ModelOption.objects.get(name="Claude 3 Opus").input_price_per_mtok == Decimal("15")
        )
    assert done, "no worker consumed the probes queue within 20 s"
