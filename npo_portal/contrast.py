"""Colour contrast as WCAG 2.1 defines it (success criteria 1.4.3 and 1.4.11).

Plain functions on "#rrggbb" colours, so that forms, services and tests share one reading.
"""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

# WCAG 2.1 AA: 4.5:1 for text (1.4.3); 3:1 for large text and for the parts of user
# interface components that identify them (1.4.11).
TEXT_RATIO = 4.5
NON_TEXT_RATIO = 3.0


def is_hex_colour(value: str) -> bool:
    return bool(HEX_COLOUR.match(value or ""))


def rgb(colour: str) -> tuple[int, int, int]:
    """The red, green and blue channels (0-255) of a "#rrggbb" colour."""
    if not is_hex_colour(colour):
        raise ValueError(f"Not a #rrggbb colour: {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _linear(channel: int) -> float:
    # WCAG 2.1's definition of relative luminance (sRGB); 0.03928 is the threshold it states.
    value = channel / 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """0 for black to 1 for white: L = 0.2126 R + 0.7152 G + 0.0722 B of the linear channels."""
    red, green, blue = (_linear(channel) for channel in rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """(L1 + 0.05) / (L2 + 0.05) with L1 the lighter colour: from 1 (equal) to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def meets(first: str, second: str, minimum: float) -> bool:
    """Whether the pair reaches `minimum`. WCAG allows no rounding up: 4.49:1 fails 4.5:1."""
    return contrast_ratio(first, second) >= minimum


def mix(colour: str, towards: str, share: float) -> str:
    """`colour` moved `share` (0-1) of the way to `towards`, channel by channel."""
    mixed = (
        round(own + (target - own) * share)
        for own, target in zip(rgb(colour), rgb(towards), strict=True)
    )
    return "#" + "".join(f"{channel:02x}" for channel in mixed)
