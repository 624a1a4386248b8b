import factory

from accounts.factories import MunicipalityFactory
from reporting.models import AccountabilityReport, ReportBatch, ReportStatus


class ReportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportBatch

    year = 2022


class AccountabilityReportFactory(factory.django.DjangoModelFactory):
    """A queued report version; `done=True` gives it stored files."""

    class Meta:
        model = AccountabilityReport
        django_get_or_create = ["municipality", "year", "version"]

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2022
    version = 1

    class Params:
        done = factory.Trait(
            status=ReportStatus.DONE,
            pdf=factory.django.FileField(filename="rapport.pdf", data=b"%PDF-1.7 test"),
            xlsx=factory.django.FileField(filename="rapport.xlsx", data=b"PK test"),
        )
