"""The token set's contrast rule and the stylesheet made from it."""

from django.utils import translation

from npo_portal.theming import (
    BUTTON_BACKGROUND,
    BUTTON_COLOR,
    DEFAULTS,
    FOOTER_BACKGROUND,
    FOOTER_COLOR,
    HEADER_BACKGROUND,
    HEADER_COLOR,
    LINK_COLOR,
    complete,
    contrast_problems,
    theme_css,
)


def test_the_portals_own_look_passes():
    assert contrast_problems(DEFAULTS) == []


def test_white_text_on_yellow_header_is_refused_naming_the_pair_and_ratio_in_dutch():
    with translation.override("nl"):
        problems = contrast_problems({HEADER_BACKGROUND: "#ffd200", HEADER_COLOR: "#ffffff"})
    assert len(problems) == 1
    assert "Kop van de pagina: tekst (#ffffff)" in problems[0]
    assert "Kop van de pagina: achtergrond (#ffd200)" in problems[0]
    assert "1,45:1" in problems[0]
    assert "4,5:1" in problems[0]


def test_a_ratio_just_below_the_minimum_is_shown_rounded_down():
    with translation.override("nl"):
        (problem,) = contrast_problems({LINK_COLOR: "#777777"})
    assert "4,47:1" in problem or "4,48:1" in problem
    assert "4,5:1" in problem


def test_a_light_button_fails_the_non_text_rule_against_the_page():
    with translation.override("nl"):
        problems = contrast_problems({BUTTON_BACKGROUND: "#f0f0f0", BUTTON_COLOR: "#000000"})
    assert len(problems) == 1
    assert "3,0:1" in problems[0]
    assert "witte pagina" in problems[0]


def test_every_failing_pair_is_named():
    problems = contrast_problems({FOOTER_BACKGROUND: "#000000", FOOTER_COLOR: "#111111"})
    assert len(problems) == 1
    problems = contrast_problems(
        {FOOTER_BACKGROUND: "#000000", FOOTER_COLOR: "#111111", LINK_COLOR: "#eeeeee"}
    )
    assert len(problems) == 2


def test_complete_fills_missing_and_invalid_tokens_with_defaults():
    values = complete({LINK_COLOR: "#00ff00", HEADER_COLOR: "red; } body { display:none"})
    assert values[LINK_COLOR] == "#00ff00"
    assert values[HEADER_COLOR] == DEFAULTS[HEADER_COLOR]


def test_stylesheet_sets_the_tokens_and_bootstraps_rgb_values():
    css = theme_css({BUTTON_BACKGROUND: "#00703c", LINK_COLOR: "#00703c"}, organisation_name="X")
    assert "--nl-button-primary-background-color: #00703c;" in css
    assert "--bs-primary-rgb: 0, 112, 60;" in css
    assert "--bs-link-color-rgb: 0, 112, 60;" in css
    assert "--utrecht-page-header-background-color: #154273;" in css


def test_stylesheet_carries_nothing_but_colours():
    css = theme_css({HEADER_COLOR: "#fff}</style><script>"}, organisation_name="a */ b")
    assert "<script>" not in css
    assert "*/ b" not in css
