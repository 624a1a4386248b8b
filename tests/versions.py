"""Edit forms carry the version of the object as loaded; a test posts it back like a browser."""

import re


def loaded_version(response) -> str:
    """The version the form carries, as the browser would send it back."""
    return re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1)


# What a form says when it comes back without a valid version (stale page or crafted request).
STALE_FORM = (
    "Dit formulier is verouderd of onvolledig; laad de pagina opnieuw en probeer het nog eens."
)
