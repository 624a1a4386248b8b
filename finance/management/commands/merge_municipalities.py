from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Municipality
from finance import mergers
from npo_portal import tables


class Command(BaseCommand):
    help = (
        "Merge municipalities: --into GMxxxx --from GMaaaa [GMbbbb ...] --date dd-mm-jjjj. "
        "The predecessors end the day before; what is dated from the merger day moves to the "
        "successor; their users move along (or are deactivated with --deactivate-users). "
        "Running the same merger again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--into", required=True, metavar="GMxxxx", help="The successor.")
        parser.add_argument(
            "--from", dest="predecessors", nargs="+", required=True, metavar="GMaaaa"
        )
        parser.add_argument("--date", required=True, metavar="dd-mm-jjjj")
        parser.add_argument(
            "--deactivate-users",
            action="store_true",
            help="Deactivate the predecessors' users instead of moving them to the successor.",
        )

    def handle(self, *args, into, predecessors, date, deactivate_users, **options):
        try:
            day = tables.parse_date(date)
            codes = [tables.parse_municipality_code(code) for code in [into, *predecessors]]
        except ValueError as error:
            raise CommandError(str(error)) from error
        found = {m.code: m for m in Municipality.objects.filter(code__in=codes)}
        missing = [code for code in codes if code not in found]
        if missing:
            raise CommandError(f"Onbekende gemeentecode: {', '.join(missing)}")
        try:
            result = mergers.merge_municipalities(
                successor=found[codes[0]],
                predecessors=[found[code] for code in codes[1:]],
                day=day,
                move_users=not deactivate_users,
                user=None,
            )
        except ValidationError as refused:
            for message in refused.messages:
                self.stderr.write(message)
            raise CommandError("Niets gewijzigd.") from refused
        self.stdout.write(mergers.describe(result))
