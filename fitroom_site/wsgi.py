import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitroom_site.settings")
application = get_wsgi_application()

from fitroom_site.startup import (  # noqa: E402 - needs the settings loaded above
    freeze_startup_objects,
    require_collected_static,
    return_freed_image_memory,
)

require_collected_static()
return_freed_image_memory()
freeze_startup_objects()
