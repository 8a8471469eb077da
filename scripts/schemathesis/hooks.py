"""Schemathesis hooks for remnabot's API: the two rules its OpenAPI document states in words
because JSON Schema cannot say them.

* A card number (`format: bank-card-number`) must pass the Luhn checksum. The format's values
  are generated here, so cards are actually created and exercised.
* A promo code's `valid_until`, when both dates are given, must be later than `valid_from`.

A refusal of exactly these rules (422 naming `number` or `valid_until` for a body that breaks
them) is what the document promises, so it is not counted as a failure. Nothing else is
excused: every other rejection of a schema-valid request still fails the run.
"""

from datetime import datetime

import schemathesis
from hypothesis import strategies as st


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@st.composite
def card_numbers(draw):
    payload = draw(st.text(alphabet="0123456789", min_size=15, max_size=15))
    check = next(str(d) for d in range(10) if luhn_ok(payload + str(d)))
    digits = payload + check
    sep = draw(st.sampled_from(["", " ", "-"]))
    return sep.join(digits[i : i + 4] for i in range(0, 16, 4))


schemathesis.openapi.format("bank-card-number", card_numbers())


def _digits(value) -> str:
    if not isinstance(value, str):
        return ""
    table = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
    table.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})
    return "".join(c for c in value.translate(table) if c.isdigit() and c.isascii())


def _instant(value):
    try:
        return datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except (AttributeError, ValueError):
        return None


def _breaks_a_stated_rule(body, field) -> bool:
    if not isinstance(body, dict):
        return False
    if field == "number":
        digits = _digits(body.get("number"))
        return len(digits) == 16 and not luhn_ok(digits)
    if field == "valid_until":
        start, end = _instant(body.get("valid_from")), _instant(body.get("valid_until"))
        return start is not None and end is not None and end <= start
    return False


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep every failure except a 422 that names one of the two rules above and is right."""
    if response.status_code != 422:
        return True
    try:
        field = response.json().get("field")
    except Exception:  # noqa: BLE001 - a body that is not JSON is a failure to keep
        return True
    return not _breaks_a_stated_rule(case.body, field)


@schemathesis.hook
def map_body(context, body):
    """Orders a generated promo code's dates (the rule above), so its cases reach the API's
    logic instead of being refused for it."""
    operation = context.operation
    if operation is None or not operation.path.endswith("/promocodes") or not isinstance(body, dict):
        return body
    start, end = _instant(body.get("valid_from")), _instant(body.get("valid_until"))
    if start is not None and end is not None and end <= start:
        body = dict(body)
        if end == start:
            body["valid_until"] = None
        else:
            body["valid_from"], body["valid_until"] = body["valid_until"], body["valid_from"]
    return body
