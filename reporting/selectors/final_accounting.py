"""Whether a report may or must be the municipality's final accounting
(eindverantwoording), and the one it filed."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance.selectors import finance_programme
from plans.models import Programme
from reporting.models import AccountabilityReport


@dataclass(frozen=True)
class FinalAccountingOption:
    """Whether the report of a municipality over a year may or must be its final accounting
    ("eindverantwoording"), and the reason in the user's words."""

    year: int
    first_year: int | None
    last_year: int | None
    allowed: bool
    required: bool
    reason: str = ""
    filed_year: int | None = None


def filed_final_accounting(*, municipality: Municipality) -> AccountabilityReport | None:
    """The municipality's eindverantwoording as filed: a report marked eindverantwoording
    and final ("definitief") whose year was not reopened."""
    return (
        AccountabilityReport.objects.filter(
            municipality=municipality, final_accounting=True, is_final=True, reopened_at=None
        )
        .select_related("municipality")
        .order_by("year")
        .first()
    )


def final_accounting_options(
    *, municipality: Municipality, years: list[int]
) -> dict[int, FinalAccountingOption]:
    """The eindverantwoording is filed once, over a year in the programme's window: any year
    in it may be chosen, the last one always is; once a final report is the
    eindverantwoording, no report over another year can be one (until that year is reopened).
    """
    programme = finance_programme()
    filed = filed_final_accounting(municipality=municipality)
    return {year: _option(municipality, year, programme, filed) for year in years}


def final_accounting_option(*, municipality: Municipality, year: int) -> FinalAccountingOption:
    """The eindverantwoording rule (see `final_accounting_options`) for one year."""
    return final_accounting_options(municipality=municipality, years=[year])[year]


def _option(
    municipality: Municipality,
    year: int,
    programme: Programme,
    filed: AccountabilityReport | None,
) -> FinalAccountingOption:
    first, last = programme.final_accounting_first_year, programme.final_accounting_last_year
    window = {"first": first, "last": last, "year": year}
    option = FinalAccountingOption(
        year=year, first_year=first, last_year=last, allowed=True, required=False
    )
    if year not in programme.final_accounting_years:
        return replace(
            option,
            allowed=False,
            reason=_(
                "The eindverantwoording is filed over a reporting year from %(first)s up to "
                "and including %(last)s; %(year)s lies outside that window."
            )
            % window,
        )
    if filed is not None and filed.year != year:
        return replace(
            option,
            allowed=False,
            filed_year=filed.year,
            reason=_(
                "%(name)s filed its eindverantwoording over %(filed)s (report %(identifier)s "
                "is final); a municipality files it only once."
            )
            % {"name": municipality.name, "filed": filed.year, "identifier": filed.identifier},
        )
    if year == last:
        return replace(
            option,
            required=True,
            reason=_(
                "%(last)s is the last reporting year for the eindverantwoording: the report "
                "over it always is the eindverantwoording."
            )
            % window,
        )
    return option


def final_accounting_default(*, municipality: Municipality, year: int) -> bool:
    """What a report over `year` is when nobody chooses: the choice recorded on the latest
    version over that year if it still holds, else the rule (the window's last year)."""
    option = final_accounting_option(municipality=municipality, year=year)
    latest = (
        AccountabilityReport.objects.filter(municipality=municipality, year=year)
        .order_by("-version")
        .values_list("final_accounting", flat=True)
        .first()
    )
    return option.required or bool(latest and option.allowed)
