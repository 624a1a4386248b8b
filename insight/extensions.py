"""The golden thread's section on the plan page and in the plan's PDF.

Plans may not import this app (it depends on plans, schools and finance); the plan's views
call the functions listed in settings.PLAN_DOCUMENT_EXTENSIONS instead.
"""

from insight import permissions, selectors


def plan_golden_thread(*, plan, user, medium: str):
    """On the page a summary with a link, in the PDF the whole annex; nothing for a user
    who may not read the golden thread."""
    municipality = plan.municipality
    if user is not None and not permissions.can_view_golden_thread(user, municipality):
        return None
    # The page's summary counts needs and coverage only; the PDF annex carries the money.
    thread = selectors.golden_thread(municipality=municipality, money=medium == "pdf")
    template = "insight/plan_annex.html" if medium == "pdf" else "insight/plan_summary.html"
    return template, {"thread": thread, "thread_municipality": municipality}
