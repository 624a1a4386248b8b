import datetime

from django.apps import apps
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedQuerySet

cbs_code_validator = RegexValidator(
    r"^GM\d{4}$", _("A CBS municipality code is GM followed by four digits, e.g. GM0687.")
)
board_number_validator = RegexValidator(
    r"^\d{5}$", _("A bevoegd-gezagnummer has five digits, e.g. 41234.")
)


class MunicipalityQuerySet(ScopedQuerySet):
    municipality_path = "pk"

    def school_board_condition(self, board_id: int) -> Q:
        """A board sees the municipalities where it has a school location, each once."""
        school_model = self.model._meta.get_field("schools").related_model
        return Q(Exists(school_model.objects.filter(municipality=OuterRef("pk"), board=board_id)))

    def existing_on(self, day):
        """Municipalities that existed on `day` (mergers end some and start others)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def in_programme(self):
        """Municipalities that still existed on the programme's first day. Those that ended
        before it hold no grant, plan or users: they are in the register only so that
        historical files (DUO's, with the pupil counts of 1-10-2020) map to today's."""
        # The programme is data in `plans`, which depends on this app: read it by name.
        programme = apps.get_model("plans", "Programme")
        start = programme.objects.order_by("start").values("start")[:1]
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=Subquery(start)))


class Municipality(models.Model):
    """A gemeente: the grant's recipient, identified by its CBS code."""

    code = models.CharField(
        _("CBS code"), max_length=6, unique=True, validators=[cbs_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(
        _("exists from"),
        null=True,
        blank=True,
        help_text=_("Only for a municipality formed since 1-1-2016, when the register starts."),
    )
    valid_until = models.DateField(
        _("exists until"),
        null=True,
        blank=True,
        help_text=_("Last day, for a municipality that ceased."),
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    # Mirrors of the organisation's OrganisationTheme, written only by accounts.themes: every
    # page reads the organisation anyway (the header names it), so knowing whether it has a
    # house style, and of which version, costs no query of its own.
    theme_version = models.CharField(
        _("house style version"), max_length=20, blank=True, editable=False
    )
    theme_has_logo = models.BooleanField(_("house style has a logo"), default=False, editable=False)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="municipality_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(valid_until__isnull=False),
                name="municipality_successor_only_when_ceased",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def merged_on(self) -> datetime.date | None:
        """The first day as part of its successor, for a municipality that merged."""
        if self.successor_id is None or self.valid_until is None:
            return None
        return self.valid_until + datetime.timedelta(days=1)

    def is_held_by(self, municipality_id: int | None) -> bool:
        """Whether the municipality `municipality_id` holds this one's grant: it is this
        municipality, or this one merged into it (directly or through an earlier merger)."""
        if municipality_id is None:
            return False
        current, seen = self, set()
        while current is not None and current.pk not in seen:
            if current.pk == municipality_id:
                return True
            seen.add(current.pk)
            current = current.successor
        return False

    @property
    def is_split(self) -> bool:
        """Whether it was divided by place (woonplaats) among several successors."""
        return self.successor_id is None and self.split_places.exists()


class SplitPlace(models.Model):
    """A place (woonplaats) of a municipality that was split, and the municipality that
    took it over (Haaren 2021: Helvoirt to Vught, Esch to Boxtel, …)."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("split municipality"),
        on_delete=models.CASCADE,
        related_name="split_places",
    )
    place = models.CharField(_("place (woonplaats)"), max_length=100)
    successor = models.ForeignKey(
        Municipality,
        verbose_name=_("taken over by"),
        on_delete=models.PROTECT,
        related_name="places_taken_over",
    )

    class Meta:
        verbose_name = _("place of a split municipality")
        verbose_name_plural = _("places of split municipalities")
        ordering = ["municipality__name", "place"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "place"], name="split_place_once"),
        ]

    def __str__(self) -> str:
        return f"{self.place} ({self.municipality.name}) → {self.successor.name}"


class SchoolBoardQuerySet(ScopedQuerySet):
    school_board_path = "pk"


class SchoolBoard(models.Model):
    """A school board (bevoegd gezag), identified by its five-digit number."""

    number = models.CharField(
        _("bevoegd-gezagnummer"), max_length=5, unique=True, validators=[board_number_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    # Mirrors of the organisation's OrganisationTheme, written only by accounts.themes: every
    # page reads the organisation anyway (the header names it), so knowing whether it has a
    # house style, and of which version, costs no query of its own.
    theme_version = models.CharField(
        _("house style version"), max_length=20, blank=True, editable=False
    )
    theme_has_logo = models.BooleanField(_("house style has a logo"), default=False, editable=False)

    objects = SchoolBoardQuerySet.as_manager()

    class Meta:
        verbose_name = _("school board")
        verbose_name_plural = _("school boards")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class OwnedByOrganisation(models.Model):
    """A row of one municipality or one school board, through the fields `municipality` and
    `school_board` that each subclass declares (their deletion rules differ)."""

    class Meta:
        abstract = True

    @property
    def organisation(self) -> Municipality | SchoolBoard | None:
        return self.municipality or self.school_board

    def organisation_lookup(self) -> dict[str, int] | None:
        """The filter for rows of this row's own organisation (not its predecessors); None
        for a row of no organisation, which then matches nothing."""
        if self.municipality_id is not None:
            return {"municipality_id": self.municipality_id}
        if self.school_board_id is not None:
            return {"school_board_id": self.school_board_id}
        return None


class Role(models.TextChoices):
    POLICY_OFFICER = "beleid", _("Policy officer")
    FINANCE_OFFICER = "financien", _("Finance officer")
    SCHOOL_BOARD = "schoolbestuur", _("School board")
    FUNCTIONAL_ADMIN = "beheerder", _("Functional administrator")
    # Read-only roles: the municipality's external auditor, for a limited time, and the
    # ministry's programme office, which sees national aggregates only.
    AUDITOR = "accountant", _("Auditor")
    MONITOR = "monitor", _("Programme monitor")


MUNICIPAL_ROLES = (Role.POLICY_OFFICER, Role.FINANCE_OFFICER)


class UserQuerySet(ScopedQuerySet):
    municipality_path = "municipality"
    school_board_path = "school_board"


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.FUNCTIONAL_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser, OwnedByOrganisation):
    """A person who works in the portal for one organisation, in one role."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    school_board = models.ForeignKey(
        SchoolBoard,
        verbose_name=_("school board"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    invited_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    is_key_user = models.BooleanField(
        _("key user"),
        default=False,
        help_text=_("Manages the colleagues of their own organisation."),
    )
    # Archiefwet: destruction lists are approved by the municipality's archivist as well as
    # by the functional administrator (archive/permissions.py).
    is_archivist = models.BooleanField(
        _("archivist"),
        default=False,
        help_text=_(
            "Approves the destruction of the municipality's records whose retention has run "
            "out, as its archivist."
        ),
    )
    # When the account was deactivated: personal data of people who left is anonymised a
    # configurable number of months later (AVG art. 5(1)(e); archive/anonymise.py).
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            # Each role belongs to exactly one kind of organisation; only functional
            # administrators reach the admin (staff) and belong to none.
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=[r.value for r in MUNICIPAL_ROLES],
                        municipality__isnull=False,
                        school_board__isnull=True,
                        is_staff=False,
                        is_superuser=False,
                    )
                    | Q(
                        role=Role.SCHOOL_BOARD,
                        municipality__isnull=True,
                        school_board__isnull=False,
                        is_staff=False,
                        is_superuser=False,
                        is_archivist=False,
                    )
                    | Q(
                        role=Role.FUNCTIONAL_ADMIN,
                        municipality__isnull=True,
                        school_board__isnull=True,
                        is_archivist=False,
                    )
                    | Q(
                        role=Role.AUDITOR,
                        municipality__isnull=False,
                        school_board__isnull=True,
                        is_staff=False,
                        is_superuser=False,
                        is_key_user=False,
                        is_archivist=False,
                    )
                    | Q(
                        role=Role.MONITOR,
                        municipality__isnull=True,
                        school_board__isnull=True,
                        is_staff=False,
                        is_superuser=False,
                        is_key_user=False,
                        is_archivist=False,
                    )
                ),
                name="user_role_matches_organisation",
                violation_error_message=_(
                    "Policy and finance officers and auditors belong to a municipality, "
                    "school-board users to a school board, and functional administrators and "
                    "programme monitors to neither. Only policy and finance officers can be a "
                    "municipality's archivist."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # The moment of deactivation starts the anonymisation period; reactivating clears it.
        if self.is_active:
            self.deactivated_at = None
        elif self.deactivated_at is None:
            self.deactivated_at = timezone.now()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if (
            self.municipality_id
            and not Municipality.objects.in_programme().filter(pk=self.municipality_id).exists()
        ):
            raise ValidationError(
                {
                    "municipality": _(
                        "This municipality ended before the programme began; it has no users."
                    )
                }
            )

    @property
    def is_functional_admin(self) -> bool:
        return self.role == Role.FUNCTIONAL_ADMIN

    @property
    def is_policy_officer(self) -> bool:
        return self.role == Role.POLICY_OFFICER

    @property
    def is_finance_officer(self) -> bool:
        return self.role == Role.FINANCE_OFFICER

    @property
    def is_school_board_user(self) -> bool:
        return self.role == Role.SCHOOL_BOARD

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_monitor(self) -> bool:
        return self.role == Role.MONITOR


def theme_logo_path(theme: "OrganisationTheme", filename: str) -> str:
    # The organisation's key and a random part: a new logo never takes an old one's name, so
    # a cached copy is never the wrong picture. The uploaded name is not used.
    extension = {"image/png": "png", "image/jpeg": "jpg"}.get(theme.logo_type, "bin")
    organisation = theme.municipality or theme.school_board
    key = organisation.code if theme.municipality_id else organisation.number
    return f"huisstijl/{key}-{get_random_string(12)}.{extension}"


class OrganisationTheme(models.Model):
    """A municipality's or school board's own look: its logo and its colours as NL Design
    System design tokens (npo_portal/theming.py), set by the functional administrator."""

    municipality = models.OneToOneField(
        Municipality,
        verbose_name=_("municipality"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="theme",
    )
    school_board = models.OneToOneField(
        SchoolBoard,
        verbose_name=_("school board"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="theme",
    )
    # {"--nl-button-primary-background-color": "#154273", …}: only the tokens of
    # npo_portal.theming.TOKENS, each a #rrggbb colour (accounts/themes.py checks them).
    tokens = models.JSONField(_("colour tokens"), default=dict, blank=True)
    logo = models.FileField(_("logo"), upload_to=theme_logo_path, blank=True, max_length=200)
    logo_type = models.CharField(_("logo type"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("house style")
        verbose_name_plural = _("house styles")
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=False, school_board__isnull=True)
                | Q(municipality__isnull=True, school_board__isnull=False),
                name="theme_of_one_organisation",
            ),
        ]

    def __str__(self) -> str:
        return str(self.municipality or self.school_board)
