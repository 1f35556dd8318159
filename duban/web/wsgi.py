"""The WSGI application (gunicorn ``duban.web.wsgi:application``).

Without DJANGO_SETTINGS_MODULE it runs the PRODUCTION settings, which refuse to start without
DUBAN_SECRET_KEY and DUBAN_ALLOWED_HOSTS: a deployment that forgets the variable must not serve debug
pages signed with the fixed development key. ``duban runserver`` (development) names its settings
itself (duban/cli.py), so it is unaffected.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.web.settings_production")
application = get_wsgi_application()
