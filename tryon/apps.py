from django.apps import AppConfig


class TryonConfig(AppConfig):
    name = "tryon"
    verbose_name = "Try-on"

    def ready(self):
        from tryon import worker  # noqa: F401 - connects the queue workers' start-up signal
