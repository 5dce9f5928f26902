from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outbox"
    verbose_name = _("Outbox")

    def ready(self) -> None:
        # Registers the delivery task with Celery in every process (web, worker, beat): the
        # services enqueue it by name, since the task module imports them.
        from . import tasks  # noqa: F401
