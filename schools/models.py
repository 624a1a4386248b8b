from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.scoping import ScopedQuerySet

brin_validator = RegexValidator(
    r"^\d{2}[0-9A-Z]{2}$",
    _("A BRIN number has four characters, e.g. 12AB."),
)
vestiging_validator = RegexValidator(r"^\d{2}$", _("A vestigingsnummer has two digits, e.g. 00."))


class Sector(models.TextChoices):
    PO = "po", _("Primary education (po)")
    SO = "so", _("Special education (so)")
    VO = "vo", _("Secondary education (vo)")


class SchoolQuerySet(ScopedQuerySet):
    # A municipality sees the school locations inside it; a board sees its own locations.
    municipality_path = "municipality"
    school_board_path = "board"


class School(models.Model):
    """A school location (vestiging): BRIN plus a two-digit location number."""

    brin = models.CharField(_("BRIN"), max_length=4, validators=[brin_validator])
    vestiging = models.CharField(
        _("location number"), max_length=2, validators=[vestiging_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=2, choices=Sector.choices)
    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("municipality of the location"),
        on_delete=models.PROTECT,
        related_name="schools",
    )
    board = models.ForeignKey(
        "accounts.SchoolBoard",
        verbose_name=_("school board"),
        on_delete=models.PROTECT,
        related_name="schools",
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name", "brin", "vestiging"]
        constraints = [
            models.UniqueConstraint(
                fields=["brin", "vestiging"], name="school_brin_vestiging_unique"
            )
        ]
        indexes = [models.Index(fields=["municipality", "board"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def code(self) -> str:
        """BRIN and location as DUO writes them together, e.g. 12AB00."""
        return f"{self.brin}{self.vestiging}"
