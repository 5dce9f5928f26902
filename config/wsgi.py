import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application = get_wsgi_application()

# What is loaded by now (settings, apps, models, translations) lives as long as the process:
# out of the collector's sight, a full collection no longer walks it again and again while a
# big page builds its objects (bench/api_feeds.py: about a third of the CPU of an API page
# of 200 applications went to such collections).
gc.freeze()
