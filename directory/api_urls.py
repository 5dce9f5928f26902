"""Included by config.urls at /api/v1/directory/."""

from .api import router

app_name = "directory-api"

urlpatterns = router.urls
