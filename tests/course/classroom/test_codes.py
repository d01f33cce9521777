"""Join and pair codes: unambiguous characters, and pair codes too many to guess."""

from course.classroom import codes


def test_pair_codes_are_8_unambiguous_characters_with_40_bits():
    drawn = {codes.new_code(codes.PAIR_CODE_LENGTH) for _ in range(2000)}
    assert len(drawn) == 2000  # no repeats among 2000 draws of 31**8
    assert all(len(code) == 8 and set(code) <= set(codes.ALPHABET) for code in drawn)
    assert not set("01OIL") & set(codes.ALPHABET)
    assert codes.entropy_bits(codes.PAIR_CODE_LENGTH) > 39.6
    assert len(codes.ALPHABET) ** codes.PAIR_CODE_LENGTH > 8 * 10**11


def test_typed_codes_are_normalised():
    assert codes.normalize(" abcd-2345 ") == "ABCD2345"
    assert codes.normalize("ab cd 23 45") == "ABCD2345"
    assert codes.normalize("") == "" and codes.normalize(None) == ""
