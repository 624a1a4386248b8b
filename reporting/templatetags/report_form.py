"""The start-report form, rendered by crispy once per what it shows (issue 32)."""

import hashlib

from crispy_forms.utils import render_crispy_form
from django import forms, template
from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# Stands in for the request's CSRF token in the cached form (letters only: not escaped).
CSRF_SLOT = "CSRFSLOT"


def form_state(form: forms.Form, *owner) -> str:
    """What an unbound form's HTML is made of: each field's kind, widget and its attributes,
    label, help text, choices and initial value, the language, and `owner` (whose form)."""
    fields = [
        (
            name,
            type(field).__name__,
            type(field.widget).__name__,
            sorted(field.widget.attrs.items()),
            str(field.label),
            str(field.help_text),
            field.required,
            form.get_initial_for_field(field, name),
            [(value, str(label)) for value, label in getattr(field, "choices", ())],
        )
        for name, field in form.fields.items()
    ]
    return repr((type(form).__name__, form.prefix, owner, fields, get_language()))


@register.simple_tag(takes_context=True)
def crispy_cached(context, form, *owner):
    """`{% crispy form %}`, from the cache for an unbound form shown as before: the key is
    a digest of `form_state`, so any change in the years, the eindverantwoording rule or
    the texts renders it anew. A bound form (with its errors) is rendered every time."""
    request = context["request"]
    if form.is_bound:
        return render_crispy_form(form, context={"csrf_token": get_token(request)})
    digest = hashlib.sha256(form_state(form, *owner).encode()).hexdigest()
    key = f"crispy-form:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_crispy_form(form, context={"csrf_token": CSRF_SLOT})
        cache.set(key, html, settings.FIGURES_CACHE_SECONDS)
    return mark_safe(html.replace(CSRF_SLOT, get_token(request)))  # noqa: S308 (crispy's HTML)
