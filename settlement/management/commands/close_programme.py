from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Municipality, User
from settlement import services


class Command(BaseCommand):
    help = (
        "Close a municipality's programme (once its settlement is recorded and paid), or "
        "reopen it with --reopen REASON, as the functional administrator named by --as. "
        "The same service and checks as the page."
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="CBS code, e.g. GM0687")
        parser.add_argument(
            "--as", dest="username", required=True, help="a functional administrator"
        )
        parser.add_argument("--reopen", metavar="REASON", help="reopen, with this reason")

    def handle(self, *args, code, username, reopen, **options):
        municipality = Municipality.objects.filter(code=code).first()
        user = User.objects.filter(username=username, is_active=True).first()
        if municipality is None or user is None:
            raise CommandError(f"Onbekende gemeente {code} of gebruiker {username}.")
        try:
            if reopen is not None:
                services.reopen_programme(municipality=municipality, user=user, reason=reopen)
                self.stdout.write(f"Het programma van {municipality.name} is heropend: {reopen}")
            else:
                services.close_programme(municipality=municipality, user=user)
                self.stdout.write(f"Het programma van {municipality.name} is afgesloten.")
        except PermissionDenied as error:
            raise CommandError(
                f"{username} mag het programma van {municipality.name} niet "
                f"{'heropenen' if reopen is not None else 'afsluiten'}. {error}"
            ) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
