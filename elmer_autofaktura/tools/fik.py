"""FI-kort (FIK): Danish payment codes on invoices ("Fælles Indbetalingskort").

A FIK payment code has three parts that a payer types into the netbank or
scans with "Scan regning":

* the card type (kortart): 71, 73 or 75 pay to an FI creditor number
  (8 digits); 01, 04 or 15 pay to a giro account (7 or 8 digits),
* the payment ID (betalings-ID): 15 digits for card type 71, 16 digits for
  75, 04 and 15, none for 73 and 01; its last digit is a modulus 10 (Luhn)
  check digit,
* the creditor number (kreditornummer) or giro account number.

The printed form is the code line (kodelinje): ``+71<000000000000018+81234567<``.

This module has no Odoo dependency. Every failure raises a subclass of
:class:`FIKError`, which is a :class:`ValueError`.

>>> calc_check_digit('00000000000001')
'8'
>>> make_payment_id(1)
'000000000000018'
>>> make_payment_id('INV/2027/00045')
'000002027000450'
>>> make_payment_id(123, '75')
'0000000000001230'
>>> is_valid_payment_id('000000000000018')
True
>>> is_valid_payment_id('000000000000019')
False
>>> validate_payment_id('0000 0000 0000 018')
'000000000000018'
>>> validate_creditor('8123 4567')
'81234567'
>>> format_code_line('71', '000000000000018', '81234567')
'+71<000000000000018+81234567<'
>>> format_code_line('73', None, '81234567')
'+73<+81234567<'
>>> parse_code_line('+71< 000000000000018 +81234567<')
('71', '000000000000018', '81234567')
>>> parse_code_line('>01<+1234567')
('01', None, '1234567')
>>> parse_code_line('+71< 000000002434825+80176005<')
Traceback (most recent call last):
    ...
fik.InvalidPaymentId: The payment ID (betalings-ID) 000000002434825 has a wrong check digit: the last digit should be 7, not 5.
"""

import re
from typing import NamedTuple

__all__ = [
    "CARD_TYPES",
    "CardType",
    "FIKError",
    "InvalidCardType",
    "InvalidCodeLine",
    "InvalidCreditor",
    "InvalidPaymentId",
    "InvalidReference",
    "calc_check_digit",
    "format_code_line",
    "is_valid_payment_id",
    "make_payment_id",
    "parse_code_line",
    "payment_id_length",
    "validate_creditor",
    "validate_payment_id",
]


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class FIKError(ValueError):
    """Base class of all FIK errors (a ValueError).

    ``str(error)`` is an English message for a bookkeeper. For translation,
    ``error.template`` is the message with ``%(name)s`` placeholders,
    ``error.params`` the values, and ``error.code`` a stable identifier.
    """

    def __init__(self, template: str, code: str = "invalid", **params):
        self.template = template
        self.code = code
        self.params = params
        super().__init__(template % params)


class InvalidCardType(FIKError):
    """Unknown card type, or a card type that cannot be used this way."""


class InvalidReference(FIKError):
    """The reference cannot be turned into a payment ID."""


class InvalidPaymentId(FIKError):
    """The payment ID (betalings-ID) is wrong."""


class InvalidCreditor(FIKError):
    """The creditor number or giro account number is wrong."""


class InvalidCodeLine(FIKError):
    """The text is not a FIK code line at all."""


# ---------------------------------------------------------------------------
# Card types
# ---------------------------------------------------------------------------


class CardType(NamedTuple):
    """Facts about one FIK card type (kortart)."""

    #: number of digits of the payment ID including the check digit,
    #: or None when the card type has no payment ID
    id_length: int | None
    #: 'creditor' (FI creditor number, 8 digits) or 'giro' (7-8 digits)
    creditor_kind: str
    #: whether the payer may add a free-text message
    allows_message: bool


CARD_TYPES: dict[str, CardType] = {
    "71": CardType(15, "creditor", False),
    "73": CardType(None, "creditor", True),
    "75": CardType(16, "creditor", True),
    "01": CardType(None, "giro", True),
    "04": CardType(16, "giro", False),
    "15": CardType(16, "giro", False),
}

_CREDITOR_LENGTHS = {"creditor": (8, 8), "giro": (7, 8)}
_CREDITOR_NAMES = {"creditor": "FI creditor number", "giro": "giro account number"}
_KNOWN = ", ".join("+" + t for t in sorted(CARD_TYPES))

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_NOT_DIGIT = re.compile(r"[^0-9]", re.ASCII)
_CODE_LINE = re.compile(r"^[+>]?(\d{2})<(\d*)\+(\d{7,8})<?$", re.ASCII)


def _compact(value) -> str:
    """Return the value as a string with all whitespace removed."""
    return "".join(str(value).split())


def _card(card_type) -> tuple[str, CardType]:
    """Return the normalised card type ('71') and its facts."""
    if isinstance(card_type, int) and not isinstance(card_type, bool):
        key = f"{card_type:02d}" if card_type >= 0 else str(card_type)
    else:
        key = _compact(card_type).lstrip("+")
    if key not in CARD_TYPES:
        raise InvalidCardType(
            "%(card_type)s is not a valid FI card type (kortart). "
            "Valid card types are %(known)s.",
            code="unknown_card_type",
            card_type=repr(str(card_type)),
            known=_KNOWN,
        )
    return key, CARD_TYPES[key]


def _card_with_id(card_type) -> tuple[str, int]:
    """Return the card type and its payment ID length; fail if it has none."""
    key, card = _card(card_type)
    if card.id_length is None:
        raise InvalidCardType(
            "Card type +%(card_type)s has no payment ID (betalings-ID).",
            code="card_type_without_id",
            card_type=key,
        )
    return key, card.id_length


# ---------------------------------------------------------------------------
# Check digit and payment ID
# ---------------------------------------------------------------------------


def calc_check_digit(payload: str) -> str:
    """Return the modulus 10 (Luhn) check digit for the digits before it.

    The rightmost payload digit has weight 2, the next 1, then 2, 1, ...;
    a product of 10 or more counts as its digit sum.

    >>> calc_check_digit('00000000243482')
    '7'
    >>> calc_check_digit('1')
    '8'
    """
    if not isinstance(payload, str) or not _DIGITS.fullmatch(payload):
        raise InvalidPaymentId(
            "Cannot calculate a check digit for %(payload)s: "
            "it must consist of the digits 0-9 only.",
            code="check_digit_payload",
            payload=repr(payload),
        )
    total = 0
    for position, char in enumerate(reversed(payload)):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def payment_id_length(card_type) -> int | None:
    """Return the length of the payment ID of a card type (None: no ID).

    >>> payment_id_length('71'), payment_id_length('75'), payment_id_length('73')
    (15, 16, None)
    """
    return _card(card_type)[1].id_length


def make_payment_id(reference, card_type="71") -> str:
    """Build a payment ID from the digits of a reference (e.g. invoice number).

    Non-digits are dropped, the digits are left-padded with zeros and the
    check digit is appended. A reference that is too long is refused, never
    cut (leading zeros may be dropped, they do not change the ID).

    >>> make_payment_id(2)
    '000000000000026'
    >>> make_payment_id('123456789012345')
    Traceback (most recent call last):
        ...
    fik.InvalidReference: The reference '123456789012345' has 15 digits, but card type +71 allows at most 14 digits (the payment ID has 15 digits including the check digit).
    """
    key, length = _card_with_id(card_type)
    if isinstance(reference, bool) or (isinstance(reference, int) and reference < 0):
        raise InvalidReference(
            "The reference %(reference)s cannot be used for a payment ID: "
            "it must be a positive number or a text containing digits.",
            code="reference_invalid",
            reference=repr(reference),
        )
    text = str(reference)
    digits = _NOT_DIGIT.sub("", text)
    if not digits:
        raise InvalidReference(
            "The reference %(reference)s contains no digits, "
            "so no payment ID can be made from it.",
            code="reference_without_digits",
            reference=repr(text),
        )
    significant = digits.lstrip("0") or "0"
    if len(significant) > length - 1:
        raise InvalidReference(
            "The reference %(reference)s has %(count)d digits, but card type "
            "+%(card_type)s allows at most %(allowed)d digits (the payment ID "
            "has %(length)d digits including the check digit).",
            code="reference_too_long",
            reference=repr(text),
            count=len(significant),
            card_type=key,
            allowed=length - 1,
            length=length,
        )
    payload = significant.zfill(length - 1)
    return payload + calc_check_digit(payload)


def validate_payment_id(payment_id, card_type="71") -> str:
    """Check a payment ID and return it without spaces.

    >>> validate_payment_id('000000000000018')
    '000000000000018'
    >>> validate_payment_id('00000000000018')
    Traceback (most recent call last):
        ...
    fik.InvalidPaymentId: The payment ID (betalings-ID) 00000000000018 has 14 digits; card type +71 needs exactly 15 digits.
    """
    key, length = _card_with_id(card_type)
    number = _compact(payment_id) if payment_id is not None else ""
    if not number:
        raise InvalidPaymentId(
            "Card type +%(card_type)s needs a payment ID (betalings-ID) of "
            "%(length)d digits, but none was given.",
            code="payment_id_missing",
            card_type=key,
            length=length,
        )
    if not _DIGITS.fullmatch(number):
        raise InvalidPaymentId(
            "The payment ID (betalings-ID) %(payment_id)s may only contain "
            "the digits 0-9.",
            code="payment_id_not_digits",
            payment_id=repr(number),
        )
    if len(number) != length:
        raise InvalidPaymentId(
            "The payment ID (betalings-ID) %(payment_id)s has %(count)d digits; "
            "card type +%(card_type)s needs exactly %(length)d digits.",
            code="payment_id_length",
            payment_id=number,
            count=len(number),
            card_type=key,
            length=length,
        )
    expected = calc_check_digit(number[:-1])
    if number[-1] != expected:
        raise InvalidPaymentId(
            "The payment ID (betalings-ID) %(payment_id)s has a wrong check "
            "digit: the last digit should be %(expected)s, not %(found)s.",
            code="payment_id_check_digit",
            payment_id=number,
            expected=expected,
            found=number[-1],
        )
    return number


def is_valid_payment_id(payment_id, card_type="71") -> bool:
    """Return whether the payment ID is valid for the card type; never raises.

    >>> is_valid_payment_id('000000002434827'), is_valid_payment_id('000000002434825')
    (True, False)
    """
    try:
        return bool(validate_payment_id(payment_id, card_type))
    except ValueError:
        return False


# ---------------------------------------------------------------------------
# Creditor
# ---------------------------------------------------------------------------


def validate_creditor(number, card_type="71", require_leading_8=False) -> str:
    """Check an FI creditor number (71/73/75) or giro account (01/04/15).

    Returns the number without spaces. ``require_leading_8`` demands that an
    FI creditor number starts with 8 (giro accounts are not affected).

    >>> validate_creditor('81234567', require_leading_8=True)
    '81234567'
    >>> validate_creditor('1234567', '01')
    '1234567'
    >>> validate_creditor('1234567')
    Traceback (most recent call last):
        ...
    fik.InvalidCreditor: The FI creditor number 1234567 has 7 digits; card type +71 needs exactly 8 digits.
    """
    key, card = _card(card_type)
    kind = card.creditor_kind
    name = _CREDITOR_NAMES[kind]
    low, high = _CREDITOR_LENGTHS[kind]
    value = _compact(number) if number is not None else ""
    if not value:
        raise InvalidCreditor(
            "The %(name)s is missing.",
            code="creditor_missing",
            name=name,
        )
    if not _DIGITS.fullmatch(value):
        raise InvalidCreditor(
            "The %(name)s %(number)s may only contain the digits 0-9.",
            code="creditor_not_digits",
            name=name,
            number=repr(value),
        )
    if not low <= len(value) <= high:
        raise InvalidCreditor(
            "The %(name)s %(number)s has %(count)d digits; card type "
            "+%(card_type)s needs %(needed)s digits.",
            code="creditor_length",
            name=name,
            number=value,
            count=len(value),
            card_type=key,
            needed=f"exactly {low}" if low == high else f"{low} or {high}",
        )
    if require_leading_8 and kind == "creditor" and not value.startswith("8"):
        raise InvalidCreditor(
            "The FI creditor number %(number)s must start with 8.",
            code="creditor_leading_8",
            number=value,
        )
    return value


# ---------------------------------------------------------------------------
# Code line
# ---------------------------------------------------------------------------


def format_code_line(card_type, payment_id, creditor) -> str:
    """Return the canonical code line, e.g. ``+71<000000000000018+81234567<``.

    >>> format_code_line('75', '0000000000001230', '81234567')
    '+75<0000000000001230+81234567<'
    """
    key, card = _card(card_type)
    if card.id_length is None:
        if payment_id is not None and _compact(payment_id):
            raise InvalidPaymentId(
                "Card type +%(card_type)s has no payment ID (betalings-ID), "
                "but %(payment_id)s was given.",
                code="payment_id_not_allowed",
                card_type=key,
                payment_id=_compact(payment_id),
            )
        number = ""
    else:
        number = validate_payment_id(payment_id, key)
    return f"+{key}<{number}+{validate_creditor(creditor, key)}<"


def parse_code_line(text) -> tuple[str, str | None, str]:
    """Split a code line into (card type, payment ID or None, creditor).

    Whitespace, a missing trailing ``<``, a missing leading ``+`` and a
    leading ``>`` instead of ``+`` are accepted.

    >>> parse_code_line('71<000000002434827+80176005')
    ('71', '000000002434827', '80176005')
    >>> parse_code_line('+41<000000000000018+81234567<')
    Traceback (most recent call last):
        ...
    fik.InvalidCardType: '41' is not a valid FI card type (kortart). Valid card types are +01, +04, +15, +71, +73, +75.
    """
    line = _compact(text)
    match = _CODE_LINE.match(line)
    if not match:
        raise InvalidCodeLine(
            "%(text)s is not a FIK code line. Expected something like "
            "+71<000000000000018+81234567< (card type, payment ID, creditor number).",
            code="code_line_format",
            text=repr(str(text)),
        )
    card_type, payment_id, creditor = match.groups()
    line_key, card = _card(card_type)
    if card.id_length is None:
        if payment_id:
            raise InvalidPaymentId(
                "Card type +%(card_type)s has no payment ID (betalings-ID), "
                "but the code line contains %(payment_id)s.",
                code="payment_id_not_allowed",
                card_type=line_key,
                payment_id=payment_id,
            )
        result_id = None
    else:
        result_id = validate_payment_id(payment_id, line_key)
    return line_key, result_id, validate_creditor(creditor, line_key)


def find_code_line(text) -> tuple[str, str | None, str] | None:
    """Like :func:`parse_code_line`, but None instead of an error: for texts
    that may or may not be an FI-kort code line (such as a payment reference).

    >>> find_code_line('+71<000000000000018+81234567<')
    ('71', '000000000000018', '81234567')
    >>> find_code_line('INV/2027/00045') is None
    True
    """
    try:
        return parse_code_line(text)
    except ValueError:
        return None
