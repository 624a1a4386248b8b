"""Demo data for the archive: Middelburg's report over 2022 made final (so its archive
package holds a final report), and its policy officer as the municipality's archivist (who
approves destruction lists with the functional administrator). No package is built here:
that is the worker's job, started from the archive page."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Municipality, User
from reporting import services as report_services
from reporting.models import AccountabilityReport, ReportStatus, SisaYear

YEAR = 2022
OVERRIDE = (
    "Demo: de SiSa-bijlage van 2022 is in deze demo niet nagekeken; het rapport van "
    "Middelburg is definitief gemaakt om het archiefpakket te kunnen tonen."
)


def _archivist() -> str:
    officer = User.objects.filter(username="beleid").first()
    if officer is None:
        return ""
    if not officer.is_archivist:
        officer.is_archivist = True
        officer.save(update_fields=["is_archivist"])
    return f"{officer.username} is archivaris van Middelburg"


def _final_report(municipality: Municipality) -> str:
    finals = AccountabilityReport.objects.filter(municipality=municipality, is_final=True)
    if finals.exists():
        return f"rapport {finals.first().identifier} was al definitief"
    report = (
        AccountabilityReport.objects.filter(municipality=municipality, year=YEAR)
        .order_by("-version")
        .first()
    )
    if report is None:
        return f"Middelburg heeft geen rapport over {YEAR}, dus nog geen definitief rapport"
    if report.status != ReportStatus.DONE:
        return (
            f"rapport {report.identifier} wacht nog op de worker; draai seed_demo opnieuw "
            "als het klaar is om het definitief te maken"
        )
    officer = User.objects.filter(username="financien").first()
    admin = User.objects.filter(username="beheer").first()
    with transaction.atomic():
        sisa = SisaYear.objects.select_for_update().filter(year=YEAR).first()
        overridden = ""
        if sisa is not None and not sisa.allows_final_reports:
            sisa.override_reason = OVERRIDE
            sisa.confirmed_by = admin
            sisa.confirmed_at = timezone.now()
            sisa.save(update_fields=["override_reason", "confirmed_by", "confirmed_at"])
            overridden = f" (SiSa {YEAR} definitief zonder bevestiging, met de reden 'Demo')"
        report_services.mark_final(report=report, user=officer)
    return f"rapport {report.identifier} definitief gemaakt{overridden}"


def seed_demo() -> str:
    municipality = Municipality.objects.filter(code="GM0687").first()
    if municipality is None:
        return "Archief: geen demogemeente."
    parts = [part for part in (_final_report(municipality), _archivist()) if part]
    return "Archief: " + "; ".join(parts) + "; het archiefpakket is te maken op /archief/GM0687/."
