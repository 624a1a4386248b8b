from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from identity.demo import DEMO_TOTP_KEY, demo_code


class Command(BaseCommand):
    help = (
        "Print the code an authenticator app with the demo key shows now, for signing in as "
        "a demo user without a phone. Only with DEBUG on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code werkt alleen met DEBUG aan: het is voor de demo.")
        self.stdout.write(demo_code())
        self.stderr.write(f"(sleutel {DEMO_TOTP_KEY}; de code wisselt elke 30 seconden)")
