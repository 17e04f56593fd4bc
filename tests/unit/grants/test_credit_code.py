"""GB 32100-2015 check characters, against codes published by their holders."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civic.errors import InvalidInput
from civic.grants import credit_code

# Published codes: the standard's worked example, a state-owned company, a foundation registered with the
# Ministry of Civil Affairs (registrar 5, type 3).
PUBLISHED = ["91350100M000100Y43", "91110000802100433B", "53100000500021676K"]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    assert credit_code.validate(code) == code


def test_typing_is_forgiven_but_not_mistakes():
    assert credit_code.validate(" 5310 0000-5000 2167 6k ") == "53100000500021676K"
    assert credit_code.validate("５３１０００００５０００２１６７６Ｋ") == "53100000500021676K"  # full-width


@pytest.mark.parametrize(("text", "message"), [
    ("", "Enter the organisation's unified social credit code."),
    ("53100000500021676", "A unified social credit code has 18 characters; this one has 17."),
    ("53100000500021676KK", "A unified social credit code has 18 characters; this one has 19."),
    ("5310000050002167OK", "“O” cannot appear in a unified social credit code (the letters I, O, S, V and Z are never used)."),
    ("53A00000500021676K", "Characters 3 to 8 of a unified social credit code are the region's six-digit code."),
    ("53100000500021676J", "The last character of this code should be K: check the code for a typing mistake."),
])
def test_each_mistake_is_named(text, message):
    with pytest.raises(InvalidInput) as caught:
        credit_code.validate(text)
    assert str(caught.value) == message
    assert caught.value.field == "credit_code"


def test_swapping_two_characters_is_caught():
    # The weights differ at every position, so a transposition of two different characters changes the sum.
    code = "53100000500021676K"
    swapped = code[:12] + code[13] + code[12] + code[14:]  # …21… → …12…
    assert swapped != code
    with pytest.raises(InvalidInput):
        credit_code.validate(swapped)


@given(st.text(alphabet=credit_code.ALPHABET, min_size=2, max_size=2),
       st.text(alphabet="0123456789", min_size=6, max_size=6),
       st.text(alphabet=credit_code.ALPHABET, min_size=9, max_size=9))
def test_one_check_character_fits_any_body_and_one_changed_character_breaks_it(head, region, body):
    first17 = head + region + body
    code = first17 + credit_code.check_character(first17)
    assert credit_code.validate(code) == code
    # Every single-character substitution in the body is detected (31 is prime, weights are non-zero).
    position = 10
    replacement = next(c for c in credit_code.ALPHABET if c != code[position])
    with pytest.raises(InvalidInput):
        credit_code.validate(code[:position] + replacement + code[position + 1:])
