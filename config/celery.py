import os

from celery import Celery

# Like the WSGI entry point, workers default to production settings (which refuse to start
# without their secrets); `make run` (bin/serve) asks for the development ones explicitly.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("permits")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules below an app's top level are not found by the call above.
app.autodiscover_tasks(["permits.decisions"])
