from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import register
from accounts.models import Municipality, SplitPlace


class Command(BaseCommand):
    help = (
        "Load the register of municipalities since 1-1-2016 (gemeentecode;naam;vanaf;tot;"
        "opgegaan_in) and the places of split municipalities (gemeentecode;woonplaats;"
        "opgegaan_in); all or nothing. Without arguments, the files the portal ships."
    )

    def add_arguments(self, parser):
        parser.add_argument("--gemeenten", type=Path, default=register.REGISTER_FILE)
        parser.add_argument("--woonplaatsen", type=Path, default=register.SPLIT_PLACES_FILE)

    def handle(self, *args, gemeenten: Path, woonplaatsen: Path, **options):
        try:
            data = register.parse_register(
                municipalities=gemeenten.read_bytes(), places=woonplaatsen.read_bytes()
            )
        except OSError as error:
            raise CommandError(str(error)) from error
        except register.RegisterRejected as rejected:
            raise CommandError("\n".join(rejected.errors)) from rejected
        result = register.load_register(
            data=data, municipality_model=Municipality, place_model=SplitPlace
        )
        self.stdout.write(
            f"{len(data.municipalities)} municipalities and {len(data.places)} places read. "
            + result.summary()
        )
