from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.module_loading import module_has_submodule

from accounts.demo import DEMO_PASSWORD, demo_logins, seed_demo


class Command(BaseCommand):
    help = (
        "Create or refresh the demo data: organisations and users, then each app's `demo` "
        "module in INSTALLED_APPS order. Idempotent."
    )

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
        seed_demo()
        for config in apps.get_app_configs():
            if config.name != "accounts" and module_has_submodule(config.module, "demo"):
                summary = import_module(f"{config.name}.demo").seed_demo()
                if summary:
                    self.stdout.write(summary)
        self.stdout.write(self.style.SUCCESS("Demodata staat klaar. Inloggen met:"))
        with translation.override(settings.LANGUAGE_CODE):
            for user in demo_logins():
                organisation = user.organisation.name if user.organisation else "alle gemeenten"
                self.stdout.write(
                    f"  {user.username:<10} {DEMO_PASSWORD}  {user.get_role_display()}, {organisation}"
                )
