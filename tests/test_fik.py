"""Specification of FI-kort (FIK) payment codes (tools/fik.py).

tests/conftest.py puts elmer_autofaktura/tools on sys.path, so ``fik`` is imported
as a top-level module without importing the addon (and so Odoo).
"""
import doctest

import fik
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

ID_TYPES = ["71", "75", "04", "15"]
NO_ID_TYPES = ["73", "01"]
ALL_TYPES = ID_TYPES + NO_ID_TYPES
CREDITOR_TYPES = ["71", "73", "75"]
GIRO_TYPES = ["01", "04", "15"]
ID_LENGTHS = {"71": 15, "75": 16, "04": 16, "15": 16}

FAST = settings(max_examples=300, deadline=None)


def test_doctests():
    # pytest --doctest-modules would import the addon package (and Odoo); run them here
    result = doctest.testmod(fik)
    assert result.attempted > 20
    assert result.failed == 0


# ---------------------------------------------------------------------------
# Card types
# ---------------------------------------------------------------------------


def test_card_types_table():
    assert set(fik.CARD_TYPES) == set(ALL_TYPES)
    expected = {
        "71": (15, "creditor", False),
        "73": (None, "creditor", True),
        "75": (16, "creditor", True),
        "01": (None, "giro", True),
        "04": (16, "giro", False),
        "15": (16, "giro", False),
    }
    for key, (length, kind, message) in expected.items():
        card = fik.CARD_TYPES[key]
        assert card.id_length == length
        assert card.creditor_kind == kind
        assert card.allows_message is message
        assert tuple(card) == (length, kind, message)


@pytest.mark.parametrize("card_type", ALL_TYPES)
def test_payment_id_length(card_type):
    assert fik.payment_id_length(card_type) == ID_LENGTHS.get(card_type)


def test_payment_id_length_accepts_int_and_plus():
    assert fik.payment_id_length(71) == 15
    assert fik.payment_id_length(1) is None
    assert fik.payment_id_length("+75") == 16


@pytest.mark.parametrize("card_type", ["41", "72", "", "7", "071", None, "abc", 41])
def test_payment_id_length_unknown_type(card_type):
    with pytest.raises(ValueError, match="not a valid FI card type"):
        fik.payment_id_length(card_type)


def test_errors_are_value_errors():
    for cls in (fik.InvalidCardType, fik.InvalidReference, fik.InvalidPaymentId,
                fik.InvalidCreditor, fik.InvalidCodeLine):
        assert issubclass(cls, fik.FIKError)
        assert issubclass(cls, ValueError)


def test_error_carries_template_and_params():
    with pytest.raises(fik.InvalidPaymentId) as info:
        fik.validate_payment_id("000000002434825")
    err = info.value
    assert err.code == "payment_id_check_digit"
    assert err.params["expected"] == "7"
    assert err.template % err.params == str(err)


# ---------------------------------------------------------------------------
# Check digit
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("payload, check", [
    ("00000000000001", "8"),
    ("00000000000002", "6"),
    ("00000000000123", "0"),
    ("00000000243482", "7"),
    ("1", "8"),
    ("0", "0"),
    ("7992739871", "3"),  # textbook Luhn example
])
def test_calc_check_digit_known(payload, check):
    assert fik.calc_check_digit(payload) == check


@pytest.mark.parametrize("payload", ["", "12a", " 12", "1-2", "\u0661\u0662", None, 12])
def test_calc_check_digit_rejects(payload):
    with pytest.raises(ValueError, match="digits 0-9"):
        fik.calc_check_digit(payload)


@FAST
@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_calc_check_digit_equals_stdnum(payload):
    assert fik.calc_check_digit(payload) == luhn.calc_check_digit(payload)


@FAST
@given(st.text(alphabet="0123456789", min_size=1, max_size=20), st.integers(0, 10))
def test_leading_zeros_do_not_change_check_digit(payload, zeros):
    assert fik.calc_check_digit("0" * zeros + payload) == fik.calc_check_digit(payload)


# ---------------------------------------------------------------------------
# Payment ID
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reference, card_type, expected", [
    (1, "71", "000000000000018"),
    ("1", "71", "000000000000018"),
    (2, "71", "000000000000026"),
    (123, "71", "000000000001230"),
    (243482, "71", "000000002434827"),
    ("INV/2027/00045", "71", "000002027000450"),
    (1, "75", "0000000000000018"),
    (123, "04", "0000000000001230"),
    (123, "15", "0000000000001230"),
    ("00000000000001", "71", "000000000000018"),
    ("000000000000001", "71", "000000000000018"),  # leading zeros carry no information
    (0, "71", "000000000000000"),
])
def test_make_payment_id_known(reference, card_type, expected):
    assert fik.make_payment_id(reference, card_type) == expected


def test_make_payment_id_default_is_71():
    assert fik.make_payment_id(1) == "000000000000018"


def test_make_payment_id_max_length():
    assert fik.make_payment_id("9" * 14) == "9" * 14 + luhn.calc_check_digit("9" * 14)
    assert fik.make_payment_id("9" * 15, "75") == "9" * 15 + luhn.calc_check_digit("9" * 15)


@pytest.mark.parametrize("card_type, digits, allowed", [
    ("71", 15, 14), ("75", 16, 15), ("04", 16, 15), ("15", 16, 15),
])
def test_make_payment_id_too_long_raises(card_type, digits, allowed):
    reference = "1" + "2" * (digits - 1)
    with pytest.raises(ValueError, match=f"has {digits} digits.*at most {allowed} digits"):
        fik.make_payment_id(reference, card_type)
    with pytest.raises(fik.InvalidReference):
        fik.make_payment_id(int(reference), card_type)


def test_make_payment_id_too_long_counts_digits_only():
    with pytest.raises(ValueError, match="at most 14 digits"):
        fik.make_payment_id("INV/2027/123456789012")


@pytest.mark.parametrize("reference", ["", "INV/", "   ", "abc", "\u0661\u0662\u0663"])
def test_make_payment_id_without_digits(reference):
    with pytest.raises(ValueError, match="contains no digits"):
        fik.make_payment_id(reference)


@pytest.mark.parametrize("reference", [-5, True])
def test_make_payment_id_bad_reference_type(reference):
    with pytest.raises(ValueError, match="cannot be used for a payment ID"):
        fik.make_payment_id(reference)


@pytest.mark.parametrize("card_type", NO_ID_TYPES)
def test_make_payment_id_type_without_id(card_type):
    with pytest.raises(ValueError, match=rf"\+{card_type} has no payment ID"):
        fik.make_payment_id(1, card_type)


def test_make_payment_id_unknown_type():
    with pytest.raises(ValueError, match="'41' is not a valid FI card type"):
        fik.make_payment_id(1, "41")


def test_brief_example_payment_id():
    assert not fik.is_valid_payment_id("000000002434825")
    assert fik.is_valid_payment_id("000000002434827")
    with pytest.raises(ValueError, match="should be 7, not 5"):
        fik.validate_payment_id("000000002434825")


@pytest.mark.parametrize("card_type", ID_TYPES)
def test_payment_id_lengths(card_type):
    length = ID_LENGTHS[card_type]
    good = fik.make_payment_id(42, card_type)
    assert len(good) == length
    assert fik.is_valid_payment_id(good, card_type)
    shorter = fik.make_payment_id(42, "71") if length == 16 else None
    if shorter:
        assert not fik.is_valid_payment_id(shorter, card_type)
        with pytest.raises(ValueError, match=f"needs exactly {length} digits"):
            fik.validate_payment_id(shorter, card_type)
    longer = "0" + good
    assert fik.is_valid_payment_id(longer[1:], card_type)
    assert not fik.is_valid_payment_id(longer, card_type)


def test_validate_payment_id_strips_spaces():
    assert fik.validate_payment_id(" 0000 0000 0000 018 ") == "000000000000018"


@pytest.mark.parametrize("payment_id, card_type, message", [
    ("", "71", "needs a payment ID"),
    (None, "71", "needs a payment ID"),
    ("00000000000001x", "71", "only contain the digits"),
    ("0000-0000-0000-018", "71", "only contain the digits"),
    ("00000000000018", "71", "has 14 digits; card type \\+71 needs exactly 15"),
    ("000000000000018", "75", "has 15 digits; card type \\+75 needs exactly 16"),
    ("000000000000019", "71", "should be 8, not 9"),
    ("000000000000018", "73", "\\+73 has no payment ID"),
    ("000000000000018", "01", "\\+01 has no payment ID"),
    ("000000000000018", "99", "not a valid FI card type"),
])
def test_validate_payment_id_rejects(payment_id, card_type, message):
    with pytest.raises(ValueError, match=message):
        fik.validate_payment_id(payment_id, card_type)
    assert fik.is_valid_payment_id(payment_id, card_type) is False


@pytest.mark.parametrize("payment_id", [None, 18, 1.5, b"000000000000018", object(), [], "\u0661" * 15])
def test_is_valid_payment_id_never_raises(payment_id):
    assert fik.is_valid_payment_id(payment_id) is False


def _fitting_reference(card_type):
    payload_len = ID_LENGTHS[card_type] - 1
    return st.one_of(
        st.integers(min_value=0, max_value=10 ** payload_len - 1),
        st.text(alphabet="0123456789", min_size=1, max_size=payload_len),
        st.text(alphabet="0123456789", min_size=1, max_size=payload_len).map(
            lambda d: "INV/" + d[:4] + "/" + d[4:]
        ),
    )


id_and_type = st.sampled_from(ID_TYPES).flatmap(
    lambda t: st.tuples(st.just(t), _fitting_reference(t))
).map(lambda tr: (tr[0], fik.make_payment_id(tr[1], tr[0])))


@FAST
@given(st.sampled_from(ID_TYPES).flatmap(lambda t: st.tuples(st.just(t), _fitting_reference(t))))
def test_every_generated_id_validates(type_and_reference):
    card_type, reference = type_and_reference
    payment_id = fik.make_payment_id(reference, card_type)
    assert len(payment_id) == ID_LENGTHS[card_type]
    assert payment_id.isdigit()
    assert fik.is_valid_payment_id(payment_id, card_type)
    assert fik.validate_payment_id(payment_id, card_type) == payment_id
    assert luhn.is_valid(payment_id)
    # the reference digits are kept, never truncated
    digits = "".join(c for c in str(reference) if c.isdigit()).lstrip("0")
    assert payment_id[:-1].lstrip("0") == digits


@FAST
@given(id_and_type, st.data())
def test_single_digit_substitution_detected(id_and_type, data):
    card_type, payment_id = id_and_type
    pos = data.draw(st.integers(0, len(payment_id) - 1))
    new = data.draw(st.sampled_from([d for d in "0123456789" if d != payment_id[pos]]))
    changed = payment_id[:pos] + new + payment_id[pos + 1:]
    assert not fik.is_valid_payment_id(changed, card_type)


@FAST
@given(id_and_type, st.data())
def test_adjacent_transposition_detected(id_and_type, data):
    card_type, payment_id = id_and_type
    pos = data.draw(st.integers(0, len(payment_id) - 2))
    a, b = payment_id[pos], payment_id[pos + 1]
    if a == b or {a, b} == {"0", "9"}:  # no change / Luhn's known blind spot
        return
    swapped = payment_id[:pos] + b + a + payment_id[pos + 2:]
    assert not fik.is_valid_payment_id(swapped, card_type)


def test_luhn_misses_09_transposition():
    # documented limitation of modulus 10: swapping adjacent 0 and 9 goes unnoticed
    payment_id = fik.make_payment_id(9)
    assert payment_id[-3:-1] == "09"
    swapped = payment_id[:-3] + "90" + payment_id[-1]
    assert fik.is_valid_payment_id(swapped)


# ---------------------------------------------------------------------------
# Creditor
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("card_type", CREDITOR_TYPES)
def test_creditor_eight_digits(card_type):
    assert fik.validate_creditor("81234567", card_type) == "81234567"
    assert fik.validate_creditor("01234567", card_type) == "01234567"
    assert fik.validate_creditor(" 8123 4567 ", card_type) == "81234567"
    with pytest.raises(ValueError, match=r"FI creditor number 1234567 has 7 digits.*exactly 8"):
        fik.validate_creditor("1234567", card_type)
    with pytest.raises(ValueError, match=r"has 9 digits.*exactly 8"):
        fik.validate_creditor("812345678", card_type)


def test_creditor_default_type_is_71():
    assert fik.validate_creditor("12345678") == "12345678"
    with pytest.raises(ValueError, match="exactly 8"):
        fik.validate_creditor("1234567")


@pytest.mark.parametrize("card_type", CREDITOR_TYPES)
def test_creditor_leading_8(card_type):
    assert fik.validate_creditor("81234567", card_type, require_leading_8=True) == "81234567"
    with pytest.raises(ValueError, match="must start with 8"):
        fik.validate_creditor("12345678", card_type, require_leading_8=True)


@pytest.mark.parametrize("card_type", GIRO_TYPES)
def test_giro_seven_or_eight_digits(card_type):
    assert fik.validate_creditor("1234567", card_type) == "1234567"
    assert fik.validate_creditor("12345678", card_type) == "12345678"
    # leading-8 rule is for FI creditor numbers only
    assert fik.validate_creditor("1234567", card_type, require_leading_8=True) == "1234567"
    with pytest.raises(ValueError, match=r"giro account number 123456 has 6 digits.*7 or 8"):
        fik.validate_creditor("123456", card_type)
    with pytest.raises(ValueError, match=r"has 9 digits.*7 or 8"):
        fik.validate_creditor("123456789", card_type)


@pytest.mark.parametrize("number, message", [
    ("8123456A", "only contain the digits"),
    ("8123-4567", "only contain the digits"),
    ("", "is missing"),
    (None, "is missing"),
    ("   ", "is missing"),
])
def test_creditor_rejects(number, message):
    with pytest.raises(ValueError, match=message):
        fik.validate_creditor(number)


def test_creditor_unknown_type():
    with pytest.raises(ValueError, match="not a valid FI card type"):
        fik.validate_creditor("81234567", "41")


def test_creditor_int_input():
    assert fik.validate_creditor(81234567) == "81234567"


# ---------------------------------------------------------------------------
# Code line
# ---------------------------------------------------------------------------


ROUND_TRIP_CASES = [
    ("71", "000000000000018", "81234567", "+71<000000000000018+81234567<"),
    ("73", None, "81234567", "+73<+81234567<"),
    ("75", "0000000000001230", "81234567", "+75<0000000000001230+81234567<"),
    ("01", None, "1234567", "+01<+1234567<"),
    ("04", "0000000000000018", "12345678", "+04<0000000000000018+12345678<"),
    ("15", "0000000000000026", "1234567", "+15<0000000000000026+1234567<"),
]


@pytest.mark.parametrize("card_type, payment_id, creditor, line", ROUND_TRIP_CASES)
def test_format_and_parse_all_types(card_type, payment_id, creditor, line):
    assert fik.format_code_line(card_type, payment_id, creditor) == line
    assert fik.parse_code_line(line) == (card_type, payment_id, creditor)


@pytest.mark.parametrize("card_type", NO_ID_TYPES)
def test_format_without_id_accepts_empty_string(card_type):
    creditor = "81234567"
    assert fik.format_code_line(card_type, "", creditor) == f"+{card_type}<+{creditor}<"


def test_format_normalises_spaces():
    assert fik.format_code_line("71", "0000 0000 0000 018", "8123 4567") == "+71<000000000000018+81234567<"


@pytest.mark.parametrize("args, message", [
    (("71", None, "81234567"), "needs a payment ID"),
    (("71", "", "81234567"), "needs a payment ID"),
    (("75", "000000000000018", "81234567"), "needs exactly 16 digits"),
    (("71", "000000002434825", "80176005"), "should be 7, not 5"),
    (("73", "000000000000018", "81234567"), r"\+73 has no payment ID.*but 000000000000018 was given"),
    (("01", "000000000000018", "1234567"), r"\+01 has no payment ID"),
    (("71", "000000000000018", "1234567"), "exactly 8 digits"),
    (("04", "0000000000000018", "123456"), "7 or 8 digits"),
    (("41", "000000000000018", "81234567"), "not a valid FI card type"),
])
def test_format_rejects(args, message):
    with pytest.raises(ValueError, match=message):
        fik.format_code_line(*args)


@pytest.mark.parametrize("text", [
    "+71<000000000000018+81234567<",
    "+71< 000000000000018 +81234567<",
    "+71< 000000000000018+81234567<",
    "+71<000000000000018 +81234567<",
    "  +71<000000000000018+81234567<  ",
    "+71<000000000000018+81234567",
    ">71<000000000000018+81234567<",
    "71<000000000000018+81234567<",
    "71<000000000000018+81234567",
    "+ 7 1 < 0000 0000 0000 018 + 8123 4567 <",
    "\t+71<000000000000018\n+81234567<\n",
])
def test_parse_wild_variants(text):
    assert fik.parse_code_line(text) == ("71", "000000000000018", "81234567")


@pytest.mark.parametrize("text, expected", [
    ("+73<+81234567<", ("73", None, "81234567")),
    (">73< +81234567", ("73", None, "81234567")),
    ("01<+1234567", ("01", None, "1234567")),
    ("+04<0000000000000018+1234567<", ("04", "0000000000000018", "1234567")),
])
def test_parse_wild_variants_other_types(text, expected):
    assert fik.parse_code_line(text) == expected


def test_parse_brief_example_is_invalid():
    with pytest.raises(ValueError, match="should be 7, not 5"):
        fik.parse_code_line("+71< 000000002434825+80176005<")
    assert fik.parse_code_line("+71< 000000002434827+80176005<") == (
        "71", "000000002434827", "80176005",
    )


@pytest.mark.parametrize("text, message", [
    ("+41<000000000000018+81234567<", "'41' is not a valid FI card type"),
    ("+72<+81234567<", "'72' is not a valid FI card type"),
    ("+71<00000000000018+81234567<", "has 14 digits; card type \\+71 needs exactly 15"),
    ("+75<000000000000018+81234567<", "has 15 digits; card type \\+75 needs exactly 16"),
    ("+71<000000000000019+81234567<", "should be 8, not 9"),
    ("+71<+81234567<", "needs a payment ID"),
    ("+75<+81234567<", "needs a payment ID"),
    ("+04<+1234567<", "needs a payment ID"),
    ("+15<+1234567<", "needs a payment ID"),
    ("+73<000000000000018+81234567<", r"\+73 has no payment ID.*contains 000000000000018"),
    ("+01<000000000000018+1234567<", r"\+01 has no payment ID"),
    ("+71<000000000000018+1234567<", "has 7 digits; card type \\+71 needs exactly 8"),
    ("+71<000000000000018+123456<", "not a FIK code line"),
    ("+71<000000000000018+123456789<", "not a FIK code line"),
    ("", "not a FIK code line"),
    ("hello", "not a FIK code line"),
    ("+71<00000000000001A+81234567<", "not a FIK code line"),
    ("+71<000000000000018+81234567<<", "not a FIK code line"),
    ("++71<000000000000018+81234567<", "not a FIK code line"),
    ("+7<000000000000018+81234567<", "not a FIK code line"),
    ("+71<" + "\u0660" * 13 + "\u0661\u0668" + "+81234567<", "not a FIK code line"),
])
def test_parse_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        fik.parse_code_line(text)


@pytest.mark.parametrize("value", [None, 123, b"+71<000000000000018+81234567<", 1.5, object()])
def test_parse_non_str_raises_value_error(value):
    with pytest.raises(ValueError):
        fik.parse_code_line(value)


code_line_alphabet = st.text(alphabet="+<> 0123456789\t", max_size=40)


@FAST
@given(st.one_of(st.text(max_size=60), code_line_alphabet))
def test_parse_arbitrary_text_only_value_error(text):
    try:
        card_type, payment_id, creditor = fik.parse_code_line(text)
    except ValueError:
        return
    assert card_type in fik.CARD_TYPES
    assert fik.parse_code_line(fik.format_code_line(card_type, payment_id, creditor)) == (
        card_type, payment_id, creditor,
    )


@FAST
@given(st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=40),
                 st.lists(st.integers(), max_size=3)))
def test_parse_arbitrary_non_str_only_value_error(value):
    with pytest.raises(ValueError):
        fik.parse_code_line(value)


def _creditor_for(card_type):
    if card_type in GIRO_TYPES:
        return st.text(alphabet="0123456789", min_size=7, max_size=8)
    return st.text(alphabet="0123456789", min_size=8, max_size=8)


@st.composite
def code_parts(draw):
    card_type = draw(st.sampled_from(ALL_TYPES))
    if card_type in ID_TYPES:
        payment_id = fik.make_payment_id(draw(_fitting_reference(card_type)), card_type)
    else:
        payment_id = None
    return card_type, payment_id, draw(_creditor_for(card_type))


@FAST
@given(code_parts())
def test_format_parse_round_trip(parts):
    line = fik.format_code_line(*parts)
    assert line.startswith("+" + parts[0] + "<") and line.endswith("<")
    assert fik.parse_code_line(line) == parts


@FAST
@given(code_parts(), st.sampled_from(["+", ">", ""]), st.sampled_from(["<", ""]),
       st.sampled_from(["", " "]), st.sampled_from(["", " "]))
def test_wild_variants_round_trip(parts, lead, trail, space_after, space_before):
    card_type, payment_id, creditor = parts
    line = f"{lead}{card_type}<{space_after}{payment_id or ''}{space_before}+{creditor}{trail}"
    assert fik.parse_code_line(line) == parts
