"""Demo data: Middelburg's accountability report over 2022, built once."""

from django.db import transaction

from accounts.models import Municipality, User
from reporting import services
from reporting.models import AccountabilityReport, ReportStatus


def seed_demo() -> str:
    """Build version 1 of Middelburg's report over 2022 if it has none (idempotent)."""
    municipality = Municipality.objects.filter(code="GM0687").first()
    if municipality is None:
        return "Verantwoording: geen demogemeente."
    if AccountabilityReport.objects.filter(municipality=municipality, year=2022).exists():
        return "Verantwoording: rapport 2022 van Middelburg bestond al."
    user = User.objects.filter(username="financien").first()
    with transaction.atomic():
        report = services.start_report(
            municipality=municipality,
            year=2022,
            user=user,
            explanation="De besteding loopt achter bij de begroting doordat de zomerschool "
            "2022 later startte; het restant wordt in 2023 en 2024 besteed.",
        )
    report.refresh_from_db()
    if report.status == ReportStatus.DONE:
        return f"Verantwoording: rapport {report.identifier} gemaakt."
    return f"Verantwoording: rapport {report.identifier} in de wachtrij gezet voor de worker."
