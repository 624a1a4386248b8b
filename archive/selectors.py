"""What the archive's pages read."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Municipality, User
from archive.models import ArchivePackage, DestructionList


def municipalities_to_archive(user: User) -> QuerySet[Municipality]:
    """The municipalities the user may see that have something to archive: a settlement
    decision, a final report, an archive package or a destruction list."""
    from reporting.models import AccountabilityReport
    from settlement.models import Settlement

    def has(model, **condition):
        return Exists(model.objects.filter(municipality=OuterRef("pk"), **condition))

    return (
        Municipality.objects.for_user(user)
        .in_programme()
        .filter(
            Q(has(Settlement))
            | Q(has(AccountabilityReport, is_final=True))
            | Q(has(ArchivePackage))
            | Q(has(DestructionList))
        )
        .order_by("name")
    )
