from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import ListView

from npo_portal.audit import EditConflict, offer_current_version
from npo_portal.exports import CSV_CONTENT_TYPE
from npo_portal.paging import pager
from npo_portal.storage import upload_source
from schools import exports, permissions, selectors, services
from schools.forms import AnswerForms, ReopenRequestForm, RoundForm, SchoolImportForm
from schools.models import Domain, NeedsAnswer, NeedsRound, School

# POST-only views look their object up before refusing other methods, so that an object
# outside the user's scope answers 404 whatever the method.


def _round_for(request, pk: int) -> NeedsRound:
    return get_object_or_404(
        NeedsRound.objects.for_user(request.user).select_related("municipality"), pk=pk
    )


def _answer_for(request, pk: int) -> NeedsAnswer:
    return get_object_or_404(
        NeedsAnswer.objects.for_user(request.user).select_related(
            "round__municipality", "school", "board"
        ),
        pk=pk,
    )


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class SchoolListView(LoginRequiredMixin, UserPassesTestMixin, ListView):
    template_name = "schools/school_list.html"
    paginate_by = 100

    def test_func(self):
        return permissions.can_list_schools(self.request.user)

    def get_queryset(self):
        return selectors.schools_for(user=self.request.user)


@login_required
def round_list(request):
    user = request.user
    if not permissions.can_list_rounds(user):
        raise PermissionDenied
    return render(
        request,
        "schools/round_list.html",
        {
            "rounds": selectors.rounds_for(user=user),
            "board_rounds": selectors.board_open_rounds(user=user),
            "can_open": user.municipality is not None
            and permissions.can_manage_rounds(user, user.municipality),
        },
    )


@login_required
def round_create(request):
    municipality = request.user.municipality
    if municipality is None or not permissions.can_manage_rounds(request.user, municipality):
        raise PermissionDenied
    form = RoundForm(request.POST or None)
    if form.is_valid():
        try:
            needs_round = services.open_round(
                municipality=municipality,
                user=request.user,
                questions=form.question_list(),
                **{k: form.cleaned_data[k] for k in ("title", "school_year", "deadline")},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The round is open; the school boards can report."))
            return redirect("schools:round-detail", needs_round.pk)
    return render(request, "schools/round_form.html", {"form": form})


@login_required
def round_edit(request, pk):
    needs_round = _round_for(request, pk)
    if not permissions.can_manage_rounds(request.user, needs_round.municipality):
        raise PermissionDenied
    form = RoundForm(request.POST or None, needs_round=needs_round)
    if form.is_valid():
        try:
            services.update_round(
                needs_round=needs_round,
                user=request.user,
                questions=form.question_list(),
                **{k: form.cleaned_data[k] for k in ("title", "school_year", "deadline")},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The round has been saved."))
            return redirect("schools:round-detail", needs_round.pk)
    return render(request, "schools/round_form.html", {"form": form, "round": needs_round})


@login_required
def round_close(request, pk):
    needs_round = _round_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.close_round(needs_round=needs_round, user=request.user)
    messages.success(request, _("The round is closed; boards can no longer submit."))
    return redirect("schools:round-detail", needs_round.pk)


# The officers' round detail and the needs picture list a municipality's schools a page at a
# time: a large municipality has some 175, and the whole page grew with them (issue 32). The
# spreadsheet of the picture holds them all.
SCHOOLS_PER_PAGE = 25


@login_required
def round_detail(request, pk):
    needs_round = _round_for(request, pk)
    user = request.user
    context = {}
    if user.is_school_board_user:
        # A board answers for its own schools from here: all of them, with their buttons.
        context["responses"] = selectors.round_responses(needs_round=needs_round, user=user)
    else:
        context["responses_section"] = _responses_section(request, needs_round)
    return render(
        request,
        "schools/round_detail.html",
        {
            **context,
            "round": needs_round,
            "accepts_answers": selectors.round_accepts_answers(needs_round=needs_round),
            "can_manage": permissions.can_manage_rounds(user, needs_round.municipality),
            "can_view_picture": permissions.can_view_picture(user, needs_round),
        },
    )


def _responses_section(request, needs_round: NeedsRound) -> str:
    """The officers' responses per school (counts, filter, a page of rows), rendered once
    per version of what they read and kept in the cache, as the needs picture's body: the
    needs change count of the round's municipality (its schools, their boards and answers),
    the user's scope (every school for the functional administrator, else those of the
    user's municipality), the filter, the page and the language."""
    user = request.user
    changes = selectors.needs_changes(municipality_ids=[needs_round.municipality_id])
    query = QueryDict(mutable=True)
    if request.GET.get("status", "") in selectors.STATUS_FILTERS:
        query["status"] = request.GET["status"]
    page = request.GET.get("pagina", "")
    if page.isdigit() and len(page) < 6:
        query["pagina"] = page
    scope = "all" if user.is_functional_admin else f"m{user.municipality_id}"
    language = translation.get_language()
    key = f"round-responses:{needs_round.pk}:{changes}:{scope}:{language}:{query.urlencode()}"
    section = cache.get(key)
    if section is None:
        responses = selectors.round_response_page(
            needs_round=needs_round, user=user, status_filter=query.get("status", "")
        )
        section = render_to_string(
            "schools/includes/round_responses.html",
            {
                "path": request.path,
                "response_page": responses,
                "school_pager": pager(
                    request,
                    responses.rows,
                    param="pagina",
                    per_page=SCHOOLS_PER_PAGE,
                    anchor="respons",
                    query=query,
                ),
            },
        )
        cache.set(key, section, settings.FIGURES_CACHE_SECONDS)
    # Rendered from escaped values, also when read from the cache.
    return mark_safe(section)  # noqa: S308


def _picture_for(request, pk):
    needs_round = _round_for(request, pk)
    if not permissions.can_view_picture(request.user, needs_round):
        raise PermissionDenied
    return selectors.cached_municipal_picture(needs_round=needs_round)


# The picture's lists, a page at a time (the spreadsheet holds them whole).
NEEDS_PER_PAGE = 25
TEXTS_PER_PAGE = 25


@login_required
def picture(request, pk):
    """The needs picture: its figures over all schools, its lists a page at a time. Its body
    is the same for everyone who may see it, so it is rendered once per version of the
    picture's data (the needs change count), language and page, and cached: only the pages'
    numbers and a known goal or question are kept from the query string."""
    needs_round = _round_for(request, pk)
    if not permissions.can_view_picture(request.user, needs_round):
        raise PermissionDenied
    changes = selectors.needs_changes(municipality_ids=[needs_round.municipality_id])
    overview = selectors.cached_picture_overview(needs_round=needs_round, changes=changes)
    query = QueryDict(mutable=True)
    for param in ("scholen", "behoeften", "teksten"):
        value = request.GET.get(param, "")
        if value.isdigit() and len(value) < 6:
            query[param] = value
    chosen = overview.goal(request.GET.get("doel", ""))
    if chosen is not None and "doel" in request.GET:
        query["doel"] = chosen[0].code
    group = overview.text_group(request.GET.get("vraag", ""))
    if "vraag" in request.GET:
        query["vraag"] = group.key
    language = translation.get_language()
    key = f"needs-picture-page:{needs_round.pk}:{changes}:{language}:{query.urlencode()}"
    body = cache.get(key)
    if body is None:
        body = _picture_body(request, needs_round, overview, query, chosen, group, changes)
        cache.set(key, body, settings.FIGURES_CACHE_SECONDS)
    # Rendered by `_picture_body` from escaped values, also when read from the cache.
    body = mark_safe(body)  # noqa: S308
    return render(request, "schools/picture.html", {"round": needs_round, "body": body})


def _picture_body(request, needs_round, overview, query, chosen, group, changes) -> str:
    # The delays' chart and table (at most six domains by three sectors) are the same on
    # every page of the lists: rendered once per version of the picture.
    delays = cache.get_or_set(
        f"needs-delays:{needs_round.pk}:{changes}:{translation.get_language()}",
        lambda: render_to_string(
            "schools/includes/picture_delays.html",
            {"picture": overview, "chart": selectors.delay_chart(picture=overview)},
        ),
        settings.FIGURES_CACHE_SECONDS,
    )
    responses = selectors.response_page(
        needs_round=needs_round,
        schools=School.objects.in_round(needs_round).order_by("board__name", "name", "pk"),
        counts=overview.counts,
    )
    context = {
        "round": needs_round,
        "picture": overview,
        "delays": mark_safe(delays),  # noqa: S308 - rendered from escaped values
        "school_pager": pager(
            request,
            responses.rows,
            param="scholen",
            per_page=SCHOOLS_PER_PAGE,
            anchor="respons",
            query=query,
        ),
        "schools_open": "scholen" in query,
    }
    if chosen is not None:
        goal, count = chosen
        context["goal"] = goal
        context["need_pager"] = pager(
            request,
            selectors.need_rows(needs_round=needs_round, goal=goal, count=count),
            param="behoeften",
            per_page=NEEDS_PER_PAGE,
            anchor="behoeften",
            query=query,
        )
    context["text_group"] = group
    context["text_pager"] = pager(
        request,
        selectors.text_rows(needs_round=needs_round, group=group),
        param="teksten",
        per_page=TEXTS_PER_PAGE,
        anchor="vrije-tekst",
        query=query,
    )
    return render_to_string("schools/includes/picture_body.html", context)


@login_required
def picture_xlsx(request, pk):
    needs_picture = _picture_for(request, pk)
    response = HttpResponse(
        exports.picture_xlsx(needs_picture),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(needs_picture, "xlsx")}"'
    )
    return response


@login_required
def picture_csv(request, pk):
    needs_picture = _picture_for(request, pk)
    response = HttpResponse(exports.picture_csv(needs_picture), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.filename(needs_picture, "csv")}"'
    )
    return response


@login_required
def non_reporters(request, pk):
    needs_round = _round_for(request, pk)
    if not permissions.can_view_picture(request.user, needs_round):
        raise PermissionDenied
    return render(
        request,
        "schools/non_reporters.html",
        {
            "round": needs_round,
            "unreported": selectors.unreported(needs_round=needs_round),
            "reachable_boards": {
                recipient.board.pk
                for recipient in selectors.reminder_recipients(needs_round=needs_round)
            },
            "reminders": selectors.reminders_sent(needs_round=needs_round),
            "can_remind": permissions.can_send_reminders(request.user, needs_round),
        },
    )


@login_required
def send_reminders(request, pk):
    needs_round = _round_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        outcome = services.queue_reminders(needs_round=needs_round, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("schools:non-reporters", needs_round.pk)
    if outcome.sent:
        count = len(outcome.sent)
        messages.success(
            request,
            ngettext(
                "A reminder is being sent to %(count)d person.",
                "Reminders are being sent to %(count)d people.",
                count,
            )
            % {"count": count},
        )
    if outcome.already_today:
        messages.info(
            request,
            _("Already reminded today, so not again: %(who)s.")
            % {"who": ", ".join(outcome.already_today)},
        )
    if not outcome.sent and not outcome.already_today:
        messages.info(request, _("There is nobody to remind."))
    return redirect("schools:non-reporters", needs_round.pk)


def _after_saving(request, answer: NeedsAnswer, *, submit: bool):
    """The draft is saved; submit it when asked. A refused submit says that the draft was kept
    and why it was not submitted, on a freshly loaded form."""
    if submit:
        try:
            services.submit_answer(answer=answer, user=request.user)
        except ValidationError as error:
            messages.error(
                request,
                _("Your answer has been saved as a draft, but not submitted: %(reason)s")
                % {"reason": _error_text(error)},
            )
        else:
            messages.success(request, _("The answer has been submitted to the municipality."))
            return redirect("schools:answer-detail", answer.pk)
    else:
        messages.success(request, _("The draft has been saved."))
    return redirect("schools:answer-edit", answer.round_id, answer.school_id)


@login_required
def answer_edit(request, pk, school_pk):
    needs_round = _round_for(request, pk)
    school = get_object_or_404(
        School.objects.for_user(request.user).in_round(needs_round),
        pk=school_pk,
    )
    if not permissions.can_fill_answer(request.user, school):
        raise PermissionDenied
    answer = NeedsAnswer.objects.filter(round=needs_round, school=school).first()
    if (answer and answer.is_submitted) or not selectors.round_accepts_answers(
        needs_round=needs_round
    ):
        if answer:
            return redirect("schools:answer-detail", answer.pk)
        messages.error(request, _("This round no longer accepts answers."))
        return redirect("schools:round-detail", needs_round.pk)
    forms = AnswerForms(needs_round=needs_round, answer=answer, data=request.POST or None)
    if request.method == "POST" and forms.is_valid():
        try:
            answer = services.save_answer(
                needs_round=needs_round, school=school, user=request.user, data=forms.to_input()
            )
        except EditConflict as conflict:
            offer_current_version(forms.form, conflict)
            for message in conflict.messages:
                forms.form.add_error(None, message)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            return _after_saving(request, answer, submit="submit" in request.POST)
    return render(
        request,
        "schools/answer_form.html",
        {"round": needs_round, "school": school, "answer": answer, "forms": forms},
    )


@login_required
def answer_detail(request, pk):
    answer = _answer_for(request, pk)
    if not permissions.can_view_answer(request.user, answer):
        raise PermissionDenied
    return render(
        request,
        "schools/answer_detail.html",
        {
            "answer": answer,
            "round": answer.round,
            "delays": sorted(answer.delays.all(), key=lambda d: Domain.values.index(d.domain)),
            "needs": answer.needs.prefetch_related("goals"),
            "menu_items": answer.menu_items.select_related("area"),
            "question_answers": answer.question_answers.select_related("question"),
            "events": answer.events.select_related("by"),
            "reopen_form": ReopenRequestForm(),
            "can_edit": permissions.can_fill_answer(request.user, answer.school)
            and not answer.is_submitted
            and selectors.round_accepts_answers(needs_round=answer.round),
            "can_request_reopen": permissions.can_request_reopen(request.user, answer)
            and not answer.reopen_pending,
            "can_reopen": permissions.can_reopen(request.user, answer),
        },
    )


@login_required
def answer_request_reopen(request, pk):
    answer = _answer_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReopenRequestForm(request.POST)
    try:
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.request_reopen(answer=answer, user=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The municipality has been asked to reopen the answer."))
    return redirect("schools:answer-detail", answer.pk)


@login_required
def answer_reopen(request, pk):
    answer = _answer_for(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.reopen_answer(answer=answer, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The answer is back in draft; the board can change it."))
    return redirect("schools:answer-detail", answer.pk)


@login_required
def school_import(request):
    if not permissions.can_import_schools(request.user):
        raise PermissionDenied
    form = SchoolImportForm(request.POST or None, request.FILES or None)
    result = None
    if form.is_valid():
        result = services.import_schools(content=upload_source(form.cleaned_data["file"]))
        if result.ok:
            messages.success(request, result.summary())
            for line in result.mapped_summary():
                messages.info(
                    request, _("Listed under a municipality that no longer exists: %s") % line
                )
            for line in result.held_summary():
                messages.warning(request, line)
            return redirect("schools:school-list")
    return render(request, "schools/school_import.html", {"form": form, "result": result})
