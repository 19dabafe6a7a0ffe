from django.core.management.base import BaseCommand, CommandError

from tryon.keys import create_api_key


class Command(BaseCommand):
    help = "Create a FitRoom API key and print it once (only a hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--credits", type=int, default=100)
        parser.add_argument("--rate-limit", type=int, default=None, help="requests per minute (default 60)")

    def handle(self, name, credits, rate_limit, **options):
        if credits < 0:
            raise CommandError("--credits must be 0 or more")
        api_key, raw_key = create_api_key(name, credits, "created with manage.py createapikey")
        if rate_limit:
            api_key.rate_limit_per_minute = rate_limit
            api_key.save(update_fields=["rate_limit_per_minute"])
        self.stderr.write(f"API key '{name}' with {credits} credits (shown once, store it now):")
        # The key stays the last token printed, so scripts can take it with `tail -1` or split()[-1].
        self.stdout.write(f"webhook secret: {api_key.webhook_secret}")
        self.stdout.write(raw_key)
