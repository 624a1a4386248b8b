"""How the isolation suite (tests/test_isolation.py) points this app's views at the other
organisation's objects. Every named URL of the app belongs in one of these two."""

import datetime
from collections.abc import Callable

from plans.factories import (
    ConsultationMomentFactory,
    InterventionFactory,
    PlanFactory,
    PlanVersionFactory,
)
from plans.models import Intervention
from tests.world import Organisation

UNPARAMETERISED_VIEWS: set[str] = {"plans:home", "plans:create"}


def plan(other: Organisation):
    return PlanFactory(municipality=other.municipality)


def intervention(other: Organisation) -> Intervention:
    existing = Intervention.objects.filter(plan=plan(other), code="ISO-1").first()
    return existing or InterventionFactory(plan=plan(other), code="ISO-1")


def consultation(other: Organisation):
    moment = plan(other).consultations.first()
    return moment or ConsultationMomentFactory(plan=plan(other), date=datetime.date(2022, 3, 1))


def version(other: Organisation):
    return plan(other).versions.first() or PlanVersionFactory(plan=plan(other))


OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "plans:detail": lambda other: {"pk": plan(other).pk},
    "plans:edit": lambda other: {"pk": plan(other).pk},
    "plans:print": lambda other: {"pk": plan(other).pk},
    "plans:history": lambda other: {"pk": plan(other).pk},
    "plans:pdf": lambda other: {"pk": plan(other).pk},
    "plans:transition": lambda other: {"pk": plan(other).pk, "to_status": "in_overleg"},
    "plans:revision": lambda other: {"pk": plan(other).pk},
    "plans:council": lambda other: {"pk": plan(other).pk},
    "plans:version": lambda other: {"pk": version(other).pk},
    "plans:intervention-create": lambda other: {"pk": plan(other).pk},
    "plans:intervention-edit": lambda other: {"pk": intervention(other).pk},
    "plans:intervention-status": lambda other: {"pk": intervention(other).pk},
    "plans:intervention-delete": lambda other: {"pk": intervention(other).pk},
    "plans:intervention-reach": lambda other: {"pk": intervention(other).pk},
    "plans:consultation-create": lambda other: {"pk": plan(other).pk},
    "plans:consultation-edit": lambda other: {"pk": consultation(other).pk},
    "plans:consultation-delete": lambda other: {"pk": consultation(other).pk},
}
