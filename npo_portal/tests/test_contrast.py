"""The WCAG 2.1 contrast formula, against values the W3C's definition gives."""

import pytest

from npo_portal.contrast import contrast_ratio, meets, mix, relative_luminance, rgb


def test_black_and_white_are_the_extremes():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)


def test_the_order_of_the_pair_does_not_matter():
    assert contrast_ratio("#154273", "#ffffff") == contrast_ratio("#ffffff", "#154273")


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        # Reference ratios (WebAIM's checker, which implements the same definition).
        ("#767676", "#ffffff", 4.54),
        ("#777777", "#ffffff", 4.48),
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.00),
        ("#808080", "#ffffff", 3.95),
    ],
)
def test_ratios_match_the_reference(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)


def test_green_weighs_most_in_luminance():
    assert relative_luminance("#00ff00") > relative_luminance("#ff0000")
    assert relative_luminance("#ff0000") > relative_luminance("#0000ff")


def test_low_channels_use_the_linear_part_of_the_curve():
    # 10/255 = 0.039 lies above the 0.03928 threshold, 9/255 = 0.035 below it.
    assert relative_luminance("#090909") == pytest.approx((9 / 255) / 12.92)


def test_no_rounding_up_to_the_threshold():
    # #777777 on white is 4.48:1: it fails 4.5:1, though it reads as "4.5" rounded.
    assert not meets("#777777", "#ffffff", 4.5)
    assert meets("#767676", "#ffffff", 4.5)


def test_colours_must_be_six_digit_hex():
    with pytest.raises(ValueError):
        rgb("#fff")
    with pytest.raises(ValueError):
        rgb("red")
    assert rgb("#0A0b0C") == (10, 11, 12)


def test_mix_moves_towards_the_target():
    assert mix("#000000", "#ffffff", 0.5) == "#808080"
    assert mix("#154273", "#154273", 0.3) == "#154273"
