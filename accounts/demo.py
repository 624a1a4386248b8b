"""The demo world: two Zeeland municipalities, their school boards and one user per role."""

from django.db import transaction

from accounts.models import Municipality, Role, SchoolBoard, User

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
    return users


def demo_logins() -> list[User]:
    """Every demo user, also those another app's demo adds (the auditor), in the order made."""
    return list(
        User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}")
        .select_related("municipality", "school_board")
        .order_by("pk")
    )
