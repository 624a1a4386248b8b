from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.scoping import ScopedQuerySet
from npo_portal.lookups import InFewRows

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

    def open(self) -> "SchoolQuerySet":
        """Locations that no import has closed."""
        return self.filter(closed_on__isnull=True)

    def in_round(self, needs_round) -> "SchoolQuerySet":
        """The round's municipality's locations that were open when it opened, and those
        that answered in it (also after closing, or after a merger moved them)."""
        # A union of two index scans (schools by municipality, answers by round): the
        # `(municipality AND open) OR EXISTS(answer)` it replaces scanned every school in
        # the country, and its cost estimate made PostgreSQL JIT-compile the page's query.
        # Its rows are looked up by key (`InFewRows`), not hash-joined with every school.
        open_then = School.objects.filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=needs_round.opened_at.date()),
            municipality_id=needs_round.municipality_id,
        ).values("pk")
        answered = NeedsAnswer.objects.filter(round=needs_round).values("school_id")
        # The models' default ordering is not allowed inside a UNION.
        open_then, answered = open_then.order_by(), answered.order_by()
        return self.filter(InFewRows(F("pk"), open_then.union(answered)))


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
    duo_file = models.CharField(
        _("DUO file"),
        max_length=2,
        blank=True,
        help_text=_("The kind of DUO location file (bo, so, vo) that last listed it."),
    )
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        help_text=_("The day an import found it missing from a newer DUO file."),
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


class HeldLocation(models.Model):
    """A location that a DUO file lists under a municipality that was split by place, where
    neither its postcode nor its place (as DUO spells it) says which successor took it over:
    held, not imported, until the functional administrator assigns it. The assignment is
    kept, so that importing the same file again places the location where it was assigned."""

    brin = models.CharField(_("BRIN"), max_length=4, validators=[brin_validator])
    vestiging = models.CharField(
        _("location number"), max_length=2, validators=[vestiging_validator]
    )
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=2, choices=Sector.choices)
    board = models.ForeignKey(
        "accounts.SchoolBoard",
        verbose_name=_("school board"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    duo_file = models.CharField(_("DUO file"), max_length=2, blank=True)
    split = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("split municipality"),
        on_delete=models.PROTECT,
        related_name="held_locations",
    )
    place = models.CharField(_("place (as DUO writes it)"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    reason = models.TextField(_("why it is held"))
    held_at = models.DateTimeField(_("held since"), default=timezone.now)
    assigned_to = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("location held for assignment")
        verbose_name_plural = _("locations held for assignment")
        ordering = ["assigned_at", "split__name", "brin", "vestiging"]
        constraints = [
            models.UniqueConstraint(
                fields=["brin", "vestiging", "split"], name="held_location_once_per_split"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def code(self) -> str:
        return f"{self.brin}{self.vestiging}"


school_year_validator = RegexValidator(
    r"^\d{4}-\d{4}$", _("A school year is written as two years, e.g. 2022-2023.")
)


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class NeedsRoundQuerySet(ScopedQuerySet):
    # A municipality sees its own rounds; a board sees the rounds of the municipalities
    # where it has a school location.
    municipality_path = "municipality"

    def school_board_condition(self, board_id: int) -> Q:
        return Q(
            Exists(School.objects.filter(municipality=OuterRef("municipality"), board=board_id))
        )

    def open(self):
        return self.filter(status=RoundStatus.OPEN)


class NeedsRound(models.Model):
    """A reporting round (behoeftepeiling) in which a municipality asks its schools'
    boards for their delays and needs."""

    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="needs_rounds",
    )
    title = models.CharField(_("title"), max_length=200)
    school_year = models.CharField(
        _("school year"), max_length=9, validators=[school_year_validator]
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = NeedsRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("needs round")
        verbose_name_plural = _("needs rounds")
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.full_title

    @property
    def full_title(self) -> str:
        """The title with its school year, unless the title already names it."""
        if self.school_year in self.title:
            return self.title
        return f"{self.title} ({self.school_year})"

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class RoundQuestion(models.Model):
    """A question of the municipality's own, asked besides the standard ones."""

    round = models.ForeignKey(
        NeedsRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(_("question"), max_length=500)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("own question")
        verbose_name_plural = _("own questions")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class AnswerStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class NeedsAnswerQuerySet(ScopedQuerySet):
    municipality_path = "round__municipality"
    school_board_path = "board"


class NeedsAnswer(models.Model):
    """What a board reports for one of its schools in one round."""

    round = models.ForeignKey(
        NeedsRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="answers"
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="needs_answers"
    )
    # Denormalised from the school so that scoping is one lookup and survives a school
    # moving to another board: the answer stays with the board that gave it.
    board = models.ForeignKey(
        "accounts.SchoolBoard",
        verbose_name=_("school board"),
        on_delete=models.PROTECT,
        related_name="needs_answers",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AnswerStatus.choices, default=AnswerStatus.DRAFT
    )
    menu_items = models.ManyToManyField(
        "plans.MenuItem",
        verbose_name=_("menu interventions run by the school"),
        blank=True,
        related_name="+",
    )
    free_text = models.TextField(_("anything else the municipality should know"), blank=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last saved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_requested_at = models.DateTimeField(_("reopening requested at"), null=True, blank=True)
    reopen_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reopening requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = NeedsAnswerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("needs answer")
        verbose_name_plural = _("needs answers")
        ordering = ["round", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "school"], name="needs_answer_once_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.school}"

    @property
    def is_submitted(self) -> bool:
        return self.status == AnswerStatus.SUBMITTED

    @property
    def reopen_pending(self) -> bool:
        return self.is_submitted and self.reopen_requested_at is not None


class AnswerEventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REOPEN_REQUESTED = "reopen_requested", _("Reopening requested")
    REOPENED = "reopened", _("Reopened")


class AnswerEvent(models.Model):
    """The history of an answer's workflow: who submitted, asked to reopen, reopened."""

    answer = models.ForeignKey(
        NeedsAnswer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=20, choices=AnswerEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("answer event")
        verbose_name_plural = _("answer events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Domain(models.TextChoices):
    LANGUAGE = "taal_lezen", _("Language and reading")
    ARITHMETIC = "rekenen", _("Arithmetic")
    SOCIAL_EMOTIONAL = "sociaal_emotioneel", _("Social-emotional development")
    EXECUTIVE = "executieve_functies", _("Executive functions and learning to learn")
    MOTOR = "motoriek", _("Motor skills")
    OTHER = "anders", _("Other")


class Severity(models.TextChoices):
    NONE = "geen", _("None")
    LIMITED = "beperkt", _("Limited")
    CONSIDERABLE = "aanzienlijk", _("Considerable")
    SEVERE = "ernstig", _("Severe")


class DelayAssessment(models.Model):
    """The delay a board sees at one school in one domain."""

    answer = models.ForeignKey(
        NeedsAnswer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="delays"
    )
    domain = models.CharField(_("domain"), max_length=25, choices=Domain.choices)
    severity = models.CharField(_("severity"), max_length=15, choices=Severity.choices)
    share_of_pupils = models.PositiveSmallIntegerField(
        _("share of pupils affected (%)"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delay")
        verbose_name_plural = _("delays")
        ordering = ["answer", "domain"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "domain"], name="delay_once_per_domain"),
            models.CheckConstraint(
                condition=Q(share_of_pupils__lte=100), name="delay_share_is_a_percentage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.get_severity_display()}"


class NeedRequest(models.Model):
    """Something a board asks the municipality for, tagged with the spending goals."""

    answer = models.ForeignKey(
        NeedsAnswer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="needs"
    )
    description = models.TextField(_("what is needed"))
    goals = models.ManyToManyField(
        "plans.SpendingGoal", verbose_name=_("spending goals"), related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["answer", "pk"]

    def __str__(self) -> str:
        return self.description[:60]


class QuestionAnswer(models.Model):
    """A board's answer to one of the municipality's own questions."""

    answer = models.ForeignKey(
        NeedsAnswer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="question_answers",
    )
    question = models.ForeignKey(
        RoundQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer to an own question")
        verbose_name_plural = _("answers to own questions")
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "question"], name="question_answered_once_per_answer"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ReminderQuerySet(ScopedQuerySet):
    municipality_path = "round__municipality"


class Reminder(models.Model):
    """One reminder e-mail to one person about one round, so nobody gets two in a day."""

    round = models.ForeignKey(
        NeedsRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="reminders"
    )
    board = models.ForeignKey(
        "accounts.SchoolBoard",
        verbose_name=_("school board"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recipient = models.EmailField(_("e-mail address"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_on = models.DateField(_("sent on"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty for the scheduled reminder before the deadline."),
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "recipient", "sent_on"], name="reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.sent_on}"


class NeedsChange(models.Model):
    """One writing statement on a municipality's schools, their answers in its rounds or the
    schools its interventions reach, appended by a database trigger (migration 0005) in the
    writing transaction. The cached needs picture (`selectors.cached_municipal_picture`) and
    the plan page's golden-thread summary are keyed by the committed weight per municipality,
    as the finance pages' figures are by `insight.MoneyChange`; municipality 0 stands for
    changes that touch everyone (school boards, goals, the menukaart)."""

    # A plain integer, not a foreign key: the trigger must never fail on it.
    municipality_id = models.BigIntegerField(db_index=True)
    # How many statements the row stands for once the nightly compaction folded it.
    weight = models.PositiveBigIntegerField(db_default=1)

    class Meta:
        verbose_name = _("needs change")
        verbose_name_plural = _("needs changes")

    def __str__(self) -> str:
        return f"{self.municipality_id} #{self.pk}"
