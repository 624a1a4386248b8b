from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create or refresh the demo data (municipalities, school boards, users). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo users have a published password.",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo maakt gebruikers met een openbaar wachtwoord en weigert daarom te "
                "draaien met DEBUG uit. Gebruik --force als u dat echt wilt."
            )
        users = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demodata staat klaar. Inloggen met:"))
        with translation.override(settings.LANGUAGE_CODE):
            for user in users:
                organisation = user.organisation.name if user.organisation else "alle gemeenten"
                self.stdout.write(
                    f"  {user.username:<10} {DEMO_PASSWORD}  {user.get_role_display()}, {organisation}"
                )
