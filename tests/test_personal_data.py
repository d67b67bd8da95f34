"""Personal data typed before any collection statement is masked wherever it is kept.

Phone numbers, e-mail addresses and ID numbers in a first message (which the bot may not
answer, and which staff then see) are replaced by placeholders in the conversation state and
the unanswered questions; a registration's details, typed after the statement, are kept as
typed.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.runtime import Runtime
from bot.storage import Storage
from flows.core import Text
from flows.personal import EMAIL, ID_NUMBER, PHONE, mask_personal
from knowledge.answer import Assistant


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("call me back pls, mobile 9123 4567", f"call me back pls, mobile {PHONE}"),
        ("搵個職員打俾我？電話 6123 4567", f"搵個職員打俾我？電話 {PHONE}"),
        ("我的电话 13812345678，座机 0769-2233 4455", f"我的电话 {PHONE}，座机 {PHONE}"),
        ("Macau +853 6612 3456", f"Macau {PHONE}"),
        ("email chan.tm@abc.com.hk or chan＠abc．com", f"email {EMAIL} or {EMAIL}"),
        ("HKID A123456(7)", f"HKID {ID_NUMBER}"),
        ("身份证 44030119900101123X", f"身份证 {ID_NUMBER}"),
        # not personal data: amounts, dates, years, scheme names, the Secretariat's own number
        (
            "our DP costs 12000000, 800k or 1,200,000 in 2025",
            "our DP costs 12000000, 800k or 1,200,000 in 2025",
        ),
        ("DP(II) 上限 650,000，12個月內完成", "DP(II) 上限 650,000，12個月內完成"),
    ],
)
def test_personal_data_is_masked_and_nothing_else(typed: str, expected: str) -> None:
    assert expected == mask_personal(typed)


def test_the_secretariats_hotline_is_masked_like_any_number() -> None:
    """Masking does not guess whose number it is: better a masked hotline than a kept mobile."""
    assert PHONE in mask_personal("I called 2788 5588 already")


@pytest.fixture
def runtime(assistant: Assistant, fresh_db: Storage) -> Runtime:
    return Runtime(assistant, fresh_db, no_staff="console")


def said(runtime: Runtime, user: str, text: str) -> None:
    asyncio.run(runtime.turn(user, Text(text), "en"))


def test_a_first_message_with_a_phone_and_email_keeps_neither(
    runtime: Runtime, fresh_db: Storage
) -> None:
    said(
        runtime,
        "8",
        "hello my mobile is 9123 4567 and email chan@abc.com, the zebra crossing outside?",
    )
    stored = json.dumps(fresh_db.load_session("8"), ensure_ascii=False)
    assert "9123" not in stored and "chan@abc.com" not in stored
    assert PHONE in stored
    rows = fresh_db.db.execute("select question from misses where user_id = '8'").fetchall()
    assert rows and all("9123" not in q and "chan@abc.com" not in q for (q,) in rows)


def test_a_request_for_a_person_with_a_number_keeps_the_question_masked(
    runtime: Runtime, fresh_db: Storage
) -> None:
    said(runtime, "9", "can someone call me back, 9123 4567, about our DP application")
    stored = json.dumps(fresh_db.load_session("9"), ensure_ascii=False)
    assert "9123" not in stored
    assert "DP application" in stored  # the question itself is kept for the person


def test_every_table_keyed_by_user_is_in_mydata_and_forget(fresh_db: Storage) -> None:
    """A table added later with a user_id column cannot be missed by /mydata or /forget."""
    tables = [row[0] for row in fresh_db.db.execute("select name from sqlite_master"
                                                     " where type = 'table'")]  # fmt: skip
    keyed = {
        table
        for table in tables
        if "user_id" in {c[1] for c in fresh_db.db.execute(f"PRAGMA table_info({table})")}
    }
    transient = {"outbox"}  # replies waiting seconds for Telegram: deleted by forget, not listed
    assert keyed - transient == set(fresh_db.export("1"))
    from tests.test_tickets import fill

    fill(fresh_db, 1)  # one of everything a user leaves behind
    forgotten = "1"
    fresh_db.forget(forgotten)
    for table in keyed:
        left = fresh_db.db.execute(f"select count(*) from {table} where user_id = ?", [forgotten])
        assert 0 == left.fetchone()[0]
