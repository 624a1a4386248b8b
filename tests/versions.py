"""Edit forms carry the version of the object as loaded; a test posts it back like a browser."""

import re


def loaded_version(response) -> str:
    """The version the form carries, as the browser would send it back."""
    return re.search(r'name="version" value="(\d+)"', response.content.decode()).group(1)
