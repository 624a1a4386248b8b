import factory

from accounts.factories import MunicipalityFactory, SchoolBoardFactory
from schools.models import School, Sector


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ["brin", "vestiging"]

    brin = factory.Sequence(
        lambda n: f"{n % 100:02d}{chr(65 + n // 100 % 26)}{chr(65 + n // 2600 % 26)}"
    )
    vestiging = "00"
    name = factory.Sequence(lambda n: f"Basisschool De Proef {n}")
    sector = Sector.PO
    municipality = factory.SubFactory(MunicipalityFactory)
    board = factory.SubFactory(SchoolBoardFactory)
