import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

site = get_wsgi_application()

# After Django is set up: supports with an API token take a shorter way (config/gateway.py).
from config.gateway import with_support_gateway  # noqa: E402

application = with_support_gateway(site)
