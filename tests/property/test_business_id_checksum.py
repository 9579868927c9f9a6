"""The Y-tunnus check digit: exactly one final digit is valid, or none when the sum leaves 1."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from sidestream.domain.organisations import business_id_check_digit, check_business_id

WEIGHTS = (7, 9, 10, 5, 8, 4, 2)
seven_digits = st.text(alphabet="0123456789", min_size=7, max_size=7)
six_digits = st.text(alphabet="0123456789", min_size=6, max_size=6)


def weighted_remainder(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=False)) % 11


@given(first_seven=seven_digits, other_digit=st.integers(min_value=0, max_value=9))
def test_only_the_check_digit_completes_a_valid_id(first_seven: str, other_digit: int) -> None:
    check_digit = business_id_check_digit(first_seven)
    assume(check_digit is not None)
    assert check_digit is not None and 0 <= check_digit <= 9
    assert check_business_id(f"{first_seven}-{check_digit}") is None
    assume(other_digit != check_digit)
    reason = check_business_id(f"{first_seven}-{other_digit}")
    assert reason == f"'{first_seven}-{other_digit}' fails the Y-tunnus checksum"


@given(first_six=six_digits)
def test_no_final_digit_completes_digits_without_a_check_digit(first_six: str) -> None:
    # Pick the seventh digit that makes the weighted sum leave remainder 1, when one exists.
    seventh = [d for d in "0123456789" if weighted_remainder(first_six + d) == 1]
    assume(seventh)
    first_seven = first_six + seventh[0]
    assert business_id_check_digit(first_seven) is None
    for final_digit in range(10):
        reason = check_business_id(f"{first_seven}-{final_digit}")
        assert reason == f"'{first_seven}-{final_digit}' fails the Y-tunnus checksum"


@given(first_seven=seven_digits)
def test_check_digit_follows_the_weighted_sum(first_seven: str) -> None:
    remainder = weighted_remainder(first_seven)
    check_digit = business_id_check_digit(first_seven)
    if remainder == 1:
        assert check_digit is None
    else:
        assert check_digit is not None
        assert (remainder + check_digit) % 11 == 0
