"""The demo world: two Zeeland municipalities, their school boards and one user per role."""

import io

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw

from accounts.models import Municipality, OrganisationTheme, Role, SchoolBoard, User
from accounts.themes import save_theme

DEMO_EMAIL_DOMAIN = "demo.npo-portal.localhost"
DEMO_PASSWORD = "npo-demo-2021"  # noqa: S105 - documented demo password, refused with DEBUG off

DEMO_BOARDS = [
    ("41001", "Stichting Primair Onderwijs Walcheren (demo)"),
    ("41002", "Stichting Christelijk Onderwijs Vlissingen (demo)"),
]

DEMO_USERS = [
    # username, first name, last name, role, municipality code, board number
    ("beleid", "Marieke", "de Visser", Role.POLICY_OFFICER, "GM0687", None),
    ("financien", "Joost", "Kosten", Role.FINANCE_OFFICER, "GM0687", None),
    ("bestuur", "Annelies", "Boone", Role.SCHOOL_BOARD, None, "41001"),
    ("beleid2", "Pieter", "Lievense", Role.POLICY_OFFICER, "GM0718", None),
    # Amsterdam holds Weesp's grant since their merger on 24-03-2022 (finance's demo).
    ("financien3", "Sanne", "Bakker", Role.FINANCE_OFFICER, "GM0363", None),
    ("beheer", "Fatima", "El Amrani", Role.FUNCTIONAL_ADMIN, None, None),
]


@transaction.atomic
def seed_demo() -> list[User]:
    """Create or refresh the demo organisations and users; running it again changes nothing."""
    municipalities = {
        m.code: m for m in Municipality.objects.filter(code__in=["GM0687", "GM0718", "GM0363"])
    }
    boards = {}
    for number, name in DEMO_BOARDS:
        boards[number], _ = SchoolBoard.objects.update_or_create(
            number=number, defaults={"name": name}
        )
    users = []
    for username, first_name, last_name, role, municipality_code, board_number in DEMO_USERS:
        admin = role == Role.FUNCTIONAL_ADMIN
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
                "role": role,
                "municipality": municipalities.get(municipality_code),
                "school_board": boards.get(board_number),
                "is_staff": admin,
                "is_superuser": admin,
                "is_active": True,
            },
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    seed_demo_theme(
        municipality=municipalities["GM0718"],
        admin=next(user for user in users if user.is_functional_admin),
    )
    return users


# Vlissingen alone shows a house style (issue 31, item 7): its people (beleid2) see the portal,
# its e-mails and PDFs in these colours; Middelburg and Amsterdam keep the portal's own look.
DEMO_THEME_TOKENS = {
    "--utrecht-page-header-background-color": "#0b5c4e",
    "--utrecht-page-header-color": "#ffffff",
    "--nl-button-primary-background-color": "#0b5c4e",
    "--nl-button-primary-color": "#ffffff",
    "--nl-link-color": "#0a5446",
    "--nl-heading-color": "#0b3f36",
    "--utrecht-page-footer-background-color": "#e6f2ef",
    "--utrecht-page-footer-color": "#163b35",
}


def demo_logo() -> bytes:
    """A made-up emblem (a shield with three waves), drawn here so that no image file of a
    real municipality is in the repository."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.polygon(
        [(20, 16), (220, 16), (220, 120), (120, 226), (20, 120)],
        fill="#ffffff",
        outline="#0b3f36",
        width=10,
    )
    for top in (60, 100, 140):
        draw.line(
            [(48, top), (84, top - 14), (120, top), (156, top - 14), (192, top)],
            fill="#0b5c4e",
            width=12,
        )
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def seed_demo_theme(*, municipality: Municipality, admin: User) -> bool:
    """Give the demo municipality its house style once; True when it was set now."""
    if OrganisationTheme.objects.filter(municipality=municipality).exists():
        return False
    save_theme(
        organisation=municipality,
        tokens=DEMO_THEME_TOKENS,
        user=admin,
        logo=ContentFile(demo_logo(), name="logo.png"),
    )
    return True


def demo_logins() -> list[User]:
    """Every demo user, also those another app's demo adds (the auditor), in the order made."""
    return list(
        User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .select_related("municipality", "school_board")
        .order_by("pk")
    )
