"""The top menu and the links beside the user's name, gathered from each app's own
`navigation` module (as `seed_demo` gathers the `demo` modules), so that the ground floor
imports no app. Each app offers an entry only when the permission function of the page it
leads to lets the user in: the menu never shows a page that answers 403."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext as _

MAIN = "main"
ACCOUNT = "account"  # beside the user's name


@dataclass(frozen=True)
class MenuEntry:
    order: int
    label: str
    url: str
    place: str = MAIN


def menu(user) -> list[MenuEntry]:
    """The ground floor's own entries: the home page, and the admin for its staff."""
    entries = [MenuEntry(0, _("Home"), reverse("home"))]
    if user.is_staff and user.is_functional_admin:
        entries.append(MenuEntry(90, _("Administration"), reverse("admin:index")))
    return entries


@cache
def app_menus() -> tuple:
    """Each installed app's `navigation.menu`, looked up once per process: looking for the
    modules cost every page some 29 imports' worth of checks (issue 32)."""
    offers = []
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "navigation"):
            continue
        offer = getattr(import_module(f"{config.module.__name__}.navigation"), "menu", None)
        if offer is not None and offer is not menu:
            offers.append(offer)
    return tuple(offers)


def menu_for(user) -> list[MenuEntry]:
    """Every app's entries for this user, in menu order; nothing for an anonymous visitor."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    entries: list[MenuEntry] = menu(user)
    for offer in app_menus():
        entries.extend(offer(user))
    return sorted(entries, key=lambda entry: (entry.order, entry.label))


def navigation(request) -> dict:
    """Context processor: `menu` (the top menu) and `account_menu`, computed when a page
    shows them (never for a PDF or an e-mail)."""
    entries = SimpleLazyObject(lambda: menu_for(getattr(request, "user", None)))
    return {
        "menu": SimpleLazyObject(lambda: [e for e in entries if e.place == MAIN]),
        "account_menu": SimpleLazyObject(lambda: [e for e in entries if e.place == ACCOUNT]),
    }
