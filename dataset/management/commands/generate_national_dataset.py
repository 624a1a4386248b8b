from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from dataset.generator import PortalDataExists, generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic national data set for benchmarks: boards, schools, plans, needs "
        "rounds, allocations, payments and expenditures for the real municipalities, with "
        "their mergers on the real dates; schools and boards come in through DUO files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, default=342)
        parser.add_argument("--schools", type=int, default=6700)
        parser.add_argument("--expenditures", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--duo-dir",
            type=Path,
            help="Write the DUO files here and keep them (default: a temporary folder).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete the portal data already in the database first.",
        )

    def handle(self, *args, municipalities, schools, expenditures, seed, force, duo_dir, **options):
        try:
            result = generate(
                municipalities=municipalities,
                schools=schools,
                expenditures=expenditures,
                seed=seed,
                force=force,
                duo_dir=duo_dir,
                log=self.stdout.write,
            )
        except PortalDataExists as exc:
            raise CommandError(
                "Deze database bevat al portaalgegevens. Gebruik --force om die eerst te "
                "verwijderen."
            ) from exc
        for name, count in result.counts.items():
            self.stdout.write(f"{name}: {count:,}")
        self.stdout.write(self.style.SUCCESS(f"Klaar in {result.timings['total']:.1f} s."))
