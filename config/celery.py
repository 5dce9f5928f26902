import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun

# Like the WSGI entry point, workers default to production settings (which refuse to start
# without their secrets); `make run` (bin/serve) asks for the development ones explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("permits")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules below an app's top level are not found by the call above.
app.autodiscover_tasks(["permits.decisions"])


# Database connections of a worker. Celery's Django fixup closes every connection before and
# after each task unless CELERY_DB_REUSE_MAX is set (production sets it), so CONN_MAX_AGE alone
# never reached the workers: each task paid a new PostgreSQL connection. With reuse on, these
# handlers do around each task what Django does around each request: close a connection that
# is older than CONN_MAX_AGE or broken by an error, keep the others. Eager tasks (tests, a
# development machine without broker) run inside the caller's transaction: left alone.
@task_prerun.connect
@task_postrun.connect
def database_connections_refresh(sender: Any = None, **kwargs: Any) -> None:
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


# Workers log JSON lines carrying the id of the request that enqueued each task (config/logs.py
# connects the signals that carry it).
from config import logs as _logs  # noqa: E402, F401
