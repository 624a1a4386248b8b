from functools import cache

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import Municipality, Role, SchoolBoard, User

TEST_PASSWORD = "proef-wachtwoord-2021"  # noqa: S105


@cache
def hashed_test_password() -> str:
    """Hashed once (on first use, with the hasher the test session configures), so the many
    users of the test worlds are cheap to create."""
    return make_password(TEST_PASSWORD)


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    # GM9000-GM9999: codes no real municipality has; the counter runs on over a session.
    code = factory.Sequence(lambda n: f"GM{9000 + n % 1000:04d}")
    name = factory.Sequence(lambda n: f"Proefgemeente {n}")


class SchoolBoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolBoard
        django_get_or_create = ["number"]

    number = factory.Sequence(lambda n: f"{90000 + n % 10000:05d}")
    name = factory.Sequence(lambda n: f"Stichting Proefonderwijs {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@proef.example")
    first_name = "Proef"
    last_name = factory.Sequence(lambda n: f"Gebruiker {n}")
    password = factory.LazyFunction(hashed_test_password)
    role = Role.POLICY_OFFICER
    municipality = factory.SubFactory(MunicipalityFactory)
    school_board = None

    class Params:
        finance = factory.Trait(role=Role.FINANCE_OFFICER)
        board_user = factory.Trait(
            role=Role.SCHOOL_BOARD,
            municipality=None,
            school_board=factory.SubFactory(SchoolBoardFactory),
        )
        functional_admin = factory.Trait(
            role=Role.FUNCTIONAL_ADMIN,
            municipality=None,
            school_board=None,
            is_staff=True,
            is_superuser=True,
        )


# A house style whose colours a test can find again: wine red headings and header.
TEST_THEME_TOKENS = {
    "--utrecht-page-header-background-color": "#8a1538",
    "--utrecht-page-header-color": "#ffffff",
    "--nl-button-primary-background-color": "#8a1538",
    "--nl-button-primary-color": "#ffffff",
    "--nl-link-color": "#8a1538",
    "--nl-heading-color": "#8a1538",
}


def logo_png(size: tuple[int, int] = (80, 40), colour: str = "#8a1538") -> bytes:
    """A small real PNG, as a municipality's logo."""
    import io

    from PIL import Image

    output = io.BytesIO()
    Image.new("RGB", size, colour).save(output, format="PNG")
    return output.getvalue()


def give_theme(organisation, *, admin: User, tokens=None, logo: bytes | None = None):
    """The organisation's house style, set as the functional administrator sets it."""
    from django.core.files.base import ContentFile

    from accounts.themes import save_theme

    return save_theme(
        organisation=organisation,
        tokens=TEST_THEME_TOKENS if tokens is None else tokens,
        user=admin,
        logo=ContentFile(logo or logo_png(), name="logo.png"),
    )
