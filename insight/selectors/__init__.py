"""What the portal knows from need to measure to euro, per municipality and nationally.

By concern: `golden_thread` (one municipality) and `monitor` (the national monitor)."""

from insight.selectors.golden_thread import (
    GoalSummary,
    GoldenThread,
    InterventionThread,
    NeedLine,
    SchoolShare,
    SchoolThread,
    ThreadCounts,
    UnmetNeed,
    goal_summary,
    golden_thread,
    thread_counts,
    thread_key,
    with_delays,
)
from insight.selectors.monitor import (
    REPORT_STATUS_LABELS,
    SIZE_CLASSES,
    MonitorGroup,
    MonitorRow,
    NationalMonitor,
    monitor_years,
    national_monitor,
    province_of,
    size_class,
)

__all__ = [
    "REPORT_STATUS_LABELS",
    "SIZE_CLASSES",
    "GoalSummary",
    "GoldenThread",
    "InterventionThread",
    "MonitorGroup",
    "MonitorRow",
    "NationalMonitor",
    "NeedLine",
    "SchoolShare",
    "SchoolThread",
    "ThreadCounts",
    "UnmetNeed",
    "goal_summary",
    "golden_thread",
    "monitor_years",
    "national_monitor",
    "province_of",
    "size_class",
    "thread_counts",
    "thread_key",
    "with_delays",
]
