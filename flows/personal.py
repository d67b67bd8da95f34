"""Personal data inside free text, masked before the collection statement is accepted.

Why: under Hong Kong's PDPO personal data may be collected only after a collection statement.
A first message such as "can someone call me, 9123 4567, chan@abc.com" arrives before any
statement, yet its text is kept in the conversation (for follow-ups and the case a person gets)
and unanswered questions are kept and shown to staff. So phone numbers, e-mail addresses and
identity-card-like numbers in such text are replaced by a placeholder before it is kept
anywhere; what a user types *after* accepting the statement (a registration's phone, a ticket's
messages) is not masked. Phone numbers are found with ``phonenumbers`` (Hong Kong, Macau and
mainland numbering plans, or any with a country code), so an amount such as 12000000 is not one.
"""

from __future__ import annotations

import re

import phonenumbers

PHONE, EMAIL, ID_NUMBER = "[phone]", "[e-mail]", "[ID no.]"
_REGIONS = ("HK", "MO", "CN")
_EMAIL = re.compile(r"[\w.+'-]+[@＠][\w-]+(?:[.．。][\w-]+)+")
# Hong Kong identity card (A123456(7), AB1234567), mainland resident ID (18 characters), Macau
# resident ID (1234567(8)), passports and home return permits (a letter or two and 7-9 digits).
_ID = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}\d{6}\s*\(?[0-9Aa]\)?|\d{17}[\dXx]|[157]\d{6}\s*\(\d\)"
    r"|[A-Za-z]{1,2}\d{7,9})(?![A-Za-z0-9])"
)


def mask_personal(text: str) -> str:
    """``text`` with phone numbers, e-mail addresses and ID-like numbers replaced by
    placeholders; anything else exactly as it was."""
    masked = _EMAIL.sub(EMAIL, text)
    masked = _ID.sub(ID_NUMBER, masked)
    for region in _REGIONS:
        spans = [
            (m.start, m.end)
            for m in phonenumbers.PhoneNumberMatcher(
                masked, region, leniency=phonenumbers.Leniency.VALID
            )
        ]
        for start, end in reversed(spans):
            masked = masked[:start] + PHONE + masked[end:]
    return masked
