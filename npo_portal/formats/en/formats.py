# English keeps the Dutch date order (dd-mm-yyyy): the portal's documents are Dutch, and a date
# must read the same in both languages. Only the number separators differ.
from npo_portal.formats.nl.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
