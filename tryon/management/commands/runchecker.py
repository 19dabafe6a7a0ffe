from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tryon import checker


class Command(BaseCommand):
    help = "Answer the web processes' photo checks with the local engine (the Procfile's checker line)."

    def handle(self, **options):
        if not settings.TRYON_CHECKER_SOCKET:
            raise CommandError("TRYON_CHECKER_SOCKET is empty: the web processes run the checks themselves")
        checker.serve(str(settings.TRYON_CHECKER_SOCKET))
