from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import Municipality
from finance.selectors import final_position
from npo_portal.formatting import format_euro
from settlement.selectors import components, settlement_for


class Command(BaseCommand):
    help = "Print a municipality's final position and, when recorded, its settlement decision."

    def add_arguments(self, parser):
        parser.add_argument("code", help="CBS code, e.g. GM0687")

    def handle(self, *args, code, **options):
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise CommandError(f"Onbekende gemeente {code}.")
        with translation.override("nl"):
            self._print(municipality)

    def _print(self, municipality):
        position = final_position(municipality=municipality)
        line = self.stdout.write
        line(
            f"Eindpositie {municipality.name} ({municipality.code}), peildatum "
            f"{position.reference_date:%d-%m-%Y}"
        )
        rows = [
            ("Toekenning", position.allocation),
            ("Ontvangen", position.received),
            ("Subsidiabel besteed (cumulatief)", position.eligible),
            ("Niet subsidiabel", position.ineligible),
        ]
        rows += [(f"  {g.label} ({g.count})", g.amount) for g in position.ineligible_by_reason]
        rows += [
            ("Niet besteed", position.unspent),
            ("Verwachte vaststelling", position.expected_settlement),
            ("Verwachte terugvordering", position.expected_reclaim),
        ]
        for member in position.members:
            rows.append((f"  waarvan {member.municipality.name} (subsidiabel)", member.eligible))
        for label, amount in rows:
            line(f"  {label:<44} {format_euro(amount):>18}")
        settlement = settlement_for(municipality=municipality)
        if settlement is None:
            line("Geen vaststellingsbeschikking vastgelegd.")
            return
        line(
            f"Beschikking {settlement.reference} van {settlement.decided_on:%d-%m-%Y}, "
            f"bezwaar t/m {settlement.objection_deadline:%d-%m-%Y}"
        )
        for component in components(settlement=settlement):
            line(
                f"  {component.name:<44} {format_euro(component.decision):>18} "
                f"portaal {format_euro(component.expected):>16} "
                f"verschil {format_euro(component.difference):>12}"
            )
        if settlement.explanation:
            line(f"  Toelichting: {settlement.explanation}")
        repayment = getattr(settlement, "repayment", None)
        if repayment:
            line(f"Terugbetaling {format_euro(repayment.amount)} op {repayment.date:%d-%m-%Y}")
        closure = settlement.closures.filter(reopened_at__isnull=True).first()
        line("Programma afgesloten." if closure else "Programma open.")
