"""The golden thread's section on the plan page and in the plan's PDF.

Plans may not import this app (it depends on plans, schools and finance); the plan's views
call the functions listed in settings.PLAN_DOCUMENT_EXTENSIONS instead.
"""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Municipality
from insight import permissions, selectors


def plan_golden_thread(*, plan, user, medium: str):
    """On the page a summary with a link, in the PDF the whole annex; nothing for a user
    who may not read the golden thread."""
    municipality = plan.municipality
    if user is not None and not permissions.can_view_golden_thread(user, municipality):
        return None
    if medium == "pdf":  # the whole annex, with the money
        thread = selectors.golden_thread(municipality=municipality)
        return "insight/plan_annex.html", {"thread": thread, "thread_municipality": municipality}
    # The page's summary counts needs and coverage only.
    summary = cached_thread_summary(municipality=municipality)
    return "insight/plan_summary.html", {"thread": summary, "thread_municipality": municipality}


def cached_thread_summary(
    *, municipality: Municipality, today: datetime.date | None = None
) -> selectors.ThreadCounts:
    """The golden thread's counts without its money (`thread_counts`: those of
    `golden_thread(money=False)`), from the cache while neither the grant's books and plans
    nor its schools' needs and reach changed: the key holds both change logs' counts
    (MoneyChange and schools' NeedsChange)."""
    today = today or timezone.localdate()
    members, key = selectors.thread_key(municipality=municipality, today=today)
    return cache.get_or_set(
        f"thread-counts:{key}",
        lambda: selectors.thread_counts(municipality=municipality, members=members),
        settings.FIGURES_CACHE_SECONDS,
    )
