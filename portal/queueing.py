"""Enqueueing background tasks with an honest answer when the broker is down."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def task_enqueue(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task`` to its queue; False (and nothing sent) when the broker is unreachable.

    The publish retries briefly (``CELERY_TASK_PUBLISH_RETRY_POLICY``) and then gives up, so the page
    that asked can tell the user at once instead of hanging or failing with a 500.
    """
    try:
        task.delay(*args, **kwargs)
    except (OperationalError, ConnectionError) as exc:
        log.warning("Could not enqueue %s: broker unreachable (%s)", task.name, exc)
        return False
    return True
