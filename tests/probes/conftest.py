"""Probe fixtures: the local upstream over real HTTP, and a route between a good proprietary backend
and an open-source backend that answers well (or badly, when its model name contains 'bad')."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from probes.demo import default_suite_data
from probes.services import migration_create, suite_import
from routing.models import Backend, Route


def make_route(
    team, upstream, *, os_model: str = "local-os", share: int = 0, name: str = "support", os_url=None
):
    proprietary = Backend.objects.create(
        team=team,
        name=f"{name}-prop",
        kind="proprietary",
        base_url=upstream.url(),
        upstream_model="local-prop",
        timeout_s=Decimal("10"),
    )
    open_source = Backend.objects.create(
        team=team,
        name=f"{name}-os",
        kind="open_source",
        base_url=os_url or upstream.url(),
        upstream_model=os_model,
        timeout_s=Decimal("10"),
    )
    return Route.objects.create(
        team=team,
        name=name,
        task_types=["extraction"],
        proprietary_backend=proprietary,
        open_source_backend=open_source,
        open_source_share=share,
    )


@pytest.fixture
def route_factory(team, upstream):
    def build(
        *, os_model: str = "local-os", share: int = 0, probes: int = 24, name: str = "support", **migration
    ):
        route = make_route(team, upstream, os_model=os_model, share=share, name=name)
        suite_import(team=team, route=route, data=default_suite_data(size=probes))
        migration_create(route=route, **migration)
        return route

    return build


@contextlib.contextmanager
def probes_worker(app: Any) -> Iterator[None]:
    """An in-process worker on the ``probes`` queue. Choosing its queues changes the app's
    ``consume_from`` for good, so the previous choice is put back for the workers of other tests."""
    queues = app.amqp.queues
    previous = queues._consume_from
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", queues=["probes"]):
            yield
    finally:
        queues._consume_from = previous


def _reset_producer_pool(app: Any) -> None:
    # The app keeps one producer pool, connected with the transport options of its first use: drop
    # it, and the next message goes through a new connection with the current options.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_app(tmp_path):
    """The project's Celery app, publishing to a private queue folder when the broker is the
    filesystem (so a development worker never steals a test's message); put back afterwards."""
    from portal.celery import app

    previous = app.conf.broker_transport_options
    if app.conf.broker_url.startswith("filesystem://"):
        (tmp_path / "queue").mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "control_folder": str(tmp_path / "control"),
        }
        _reset_producer_pool(app)
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn, contextlib.suppress(Exception):  # no queue yet
        conn.default_channel.queue_purge("probes")
    yield app
    if app.conf.broker_url.startswith("filesystem://"):
        app.conf.broker_transport_options = previous
        _reset_producer_pool(app)
