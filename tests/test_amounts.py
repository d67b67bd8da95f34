"""Amounts typed in chat: every common way of writing a figure reads back exactly, and
anything that could mean two figures is refused rather than guessed."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.amounts import MAX_AMOUNT, Amount, AmountError, Currency, parse_amount

# ---------------------------------------------------------------------------------------
# Table of forms


@pytest.mark.parametrize(
    ("expected", "currency", "text"),
    [
        # plain and grouped digits
        ("800000", None, "800000"),
        ("800000", None, "800,000"),
        ("800000", None, "800 000"),
        ("800000.50", None, "800000.50"),
        ("1234567.89", None, "1,234,567.89"),
        ("800000", None, "  800000  "),
        ("1000000000000", None, "1,000,000,000,000"),
        ("0.5", None, "0.5"),
        # Latin suffixes
        ("800000", "HKD", "HK$800k"),
        ("800000", None, "800K"),
        ("800000", None, "800 k"),
        ("1200000", None, "$1.2m"),
        ("1200000", None, "1.2M"),
        ("1200000", None, "1.2 million"),
        ("2000000", None, "2 mil"),
        ("2000000", None, "2mn"),
        ("500000", None, ".5m"),
        ("1200000", None, "120w"),
        ("1200000", None, "120W"),
        ("800000", None, "800 thousand"),
        ("1200000000", None, "1.2bn"),
        # Chinese multipliers after digits
        ("1200000", None, "1.2百萬"),
        ("1200000", None, "1.2百万"),
        ("3000", None, "3千"),
        ("3000", None, "3仟"),
        ("5000", "HKD", "5千蚊"),
        ("100000000", None, "1億"),
        ("100000000", None, "1亿"),
        ("800000", None, "80萬"),
        ("800000", None, "80万"),
        ("800000", None, "80 萬"),
        ("45000", None, "4.5萬"),
        ("120000000", None, "1.2億"),
        ("15000000", None, "1500萬"),
        ("45000", None, "4萬5"),
        ("12000", None, "1萬2000"),
        ("805000", None, "80萬5千"),
        ("120000000", None, "1億2000萬"),
        ("3500", None, "3千5"),
        # Chinese numerals
        ("800000", None, "八十萬"),
        ("1200000", None, "一百二十万"),
        ("1200000", None, "一百二十萬"),
        ("45000", None, "四萬五"),
        ("35000", None, "三萬五千"),
        ("120000", None, "十二萬"),
        ("2000000", None, "兩百萬"),
        ("2000000", None, "两百万"),
        ("14000000", None, "一千四百萬"),
        ("500500", None, "五十萬零五百"),
        ("500005", None, "五十萬零五"),
        ("200000", None, "廿萬"),
        ("250000", None, "廿五萬"),
        ("30", None, "卅"),
        ("1000000", None, "一百萬"),
        ("1000000", None, "百萬"),
        ("12000", None, "一萬二"),
        ("3500", None, "三千五"),
        ("1500", None, "千五"),
        ("250", None, "兩百五"),
        ("35000000", None, "三千五萬"),
        ("120000000", None, "一億二千萬"),
        ("120000000", None, "一億二"),
        ("1005", None, "一千〇五"),
        ("1005", None, "一千零五"),
        ("45000", None, "四點五萬"),
        ("125000", None, "十二點五萬"),
        ("1200000", None, "壹佰貳拾萬"),
        ("300000", None, "參拾萬"),
        ("5000", None, "伍仟"),
        ("98760", None, "玖萬捌仟柒佰陸拾"),
        ("1200000", None, "壹佰贰拾万"),
        # full width
        ("800000", None, "８０萬"),
        ("800000", "HKD", "ＨＫ＄８００，０００"),
        ("800000", None, "８００\u3000０００"),
        # words around the figure
        ("800000", None, "80萬左右"),
        ("800000", None, "大約80萬"),
        ("800000", None, "大概八十萬左右啦"),
        ("800000", None, "預算係80萬"),
        ("800000", None, "about 800k"),
        ("800000", None, "my budget is around $800,000."),
        ("800000", "HKD", "HK$800,000 only"),
        ("800000", None, "80萬整"),
        ("800000", None, "一共80萬"),
        ("1200000", "HKD", "HK$1,200,000 (120萬)"),  # one figure, restated
        ("800000", None, "800000 (800,000)"),
        # currencies
        ("800000", None, "800000 dollars"),
        ("800000", None, "$800,000"),
        ("800000", "HKD", "800000 HKD"),
        ("800000", "HKD", "HKD 800,000"),
        ("800000", "HKD", "hkd800000"),
        ("800000", "HKD", "80萬港元"),
        ("800000", "HKD", "80萬港幣"),
        ("800000", "HKD", "80万港币"),
        ("800000", "HKD", "80萬港紙"),
        ("800", "HKD", "800蚊"),
        ("800000", "HKD", "$800,000 HKD"),  # "$" agrees with any currency
        ("800000", "HKD", "800k hong kong dollars"),
        ("800000", "RMB", "RMB 80萬"),
        ("800000", "RMB", "rmb800k"),
        ("800000", "RMB", "CNY 800,000"),
        ("800000", "RMB", "80萬人民幣"),
        ("800000", "RMB", "80万人民币"),
        ("800000", "RMB", "¥800,000"),
        ("800000", "RMB", "￥800,000"),
        ("800000", "RMB", "80萬元人民幣"),
        ("800000", "RMB", "人民幣80萬元"),
        ("800000", None, "80万元"),
        ("800000", None, "800000元"),
        ("1200000", "USD", "US$1.2m"),
        ("800000", "USD", "USD 800k"),
        ("100000", "USD", "10萬美元"),
        ("100000", "USD", "10萬美金"),
        ("800000", "OTHER", "EUR 800k"),
        ("800000", "OTHER", "€800k"),
        ("1000000", "OTHER", "£1m"),
        ("1000000", "OTHER", "GBP 1m"),
        ("1000000", "OTHER", "100萬日元"),
        ("1000000", "OTHER", "JPY 1m"),
        ("100000", "OTHER", "10萬歐元"),
        ("100000", "OTHER", "10万欧元"),
    ],
)
def test_reads_amount(expected: str, currency: Currency | None, text: str) -> None:
    assert Amount(Decimal(expected), currency) == parse_amount(text)


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        ("empty", ""),
        ("empty", "   "),
        ("empty", "\u3000\n"),
        ("no_number", "hello"),
        ("no_number", "唔知"),
        ("no_number", "幾多都得"),
        ("no_number", "HK$"),
        ("no_number", "k"),
        ("no_number", "one million"),  # number words in English are not read
        ("ambiguous", "50萬 or 80萬"),
        ("ambiguous", "500000 600000"),
        ("ambiguous", "50-80萬"),
        ("ambiguous", "50萬-80萬"),
        ("ambiguous", "50~80萬"),
        ("ambiguous", "50萬至80萬"),
        ("ambiguous", "50萬，80萬"),
        ("ambiguous", "800k-1m"),
        ("ambiguous", "80萬 - 80萬"),
        ("ambiguous", "幾十萬"),
        ("ambiguous", "十幾萬"),
        ("ambiguous", "80萬多"),
        ("ambiguous", "100萬以上"),
        ("ambiguous", "唔係80萬"),
        ("ambiguous", "over 800k"),
        ("ambiguous", "50%"),
        ("ambiguous", "5 kg"),
        ("ambiguous", "DP2 80萬"),
        ("ambiguous", "1.500"),  # European 1500, or 1.5?
        ("ambiguous", "1,5"),
        ("ambiguous", "1,23,456"),
        ("ambiguous", "80,0000"),
        ("ambiguous", "1.2.3"),
        ("ambiguous", "800000.505"),  # not money
        ("ambiguous", "US$800 港元"),  # two currencies
        ("ambiguous", "萬"),
        ("ambiguous", "萬元"),
        ("ambiguous", "一二三"),
        ("ambiguous", "二〇二四"),
        ("ambiguous", "一百零"),
        ("ambiguous", "一萬二萬"),
        ("ambiguous", "千百"),
        ("ambiguous", "4萬500"),
        ("ambiguous", "1萬2.5"),
        ("ambiguous", "1萬5k"),
        ("ambiguous", "80萬k"),
        ("ambiguous", "800-"),
        ("ambiguous", "80萬 👍"),
        ("ambiguous", "<800k"),
        ("ambiguous", ">800k"),
        ("ambiguous", "800k+"),
        ("ambiguous", "5 5"),  # a slip, not a restatement
        ("ambiguous", "80萬 80萬"),
        ("negative", "-800000"),
        ("negative", "- 800000"),
        ("negative", "-HK$800k"),
        ("negative", "HK$-800k"),
        ("negative", "−80萬"),
        ("negative", "－８０萬"),
        ("negative", "負80萬"),
        ("negative", "minus 500"),
        ("zero", "0"),
        ("zero", "0.00"),
        ("zero", "零"),
        ("zero", "HK$0"),
        ("zero", "0萬"),
        ("zero", "0k"),
        ("too_large", "1000000000001"),
        ("too_large", "1,000,000,000,000.01"),
        ("too_large", "10001億"),
        ("too_large", "2000000m"),
        ("too_large", "9" * 40),
        ("too_large", "1" + "0" * 2000 + "萬"),
    ],
)
def test_refuses(reason: str, text: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert reason == caught.value.reason
    assert text == caught.value.text


def test_error_is_a_value_error_with_a_readable_message() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        parse_amount("50萬 or 80萬")
    error = AmountError("zero", "0")
    assert "cannot read an amount (zero): '0'" == str(error)
    assert "zero" == pickle.loads(pickle.dumps(error)).reason


def test_error_reasons_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown AmountError reason"):
        AmountError("nonsense", "x")


def test_values_are_tidy_decimals() -> None:
    assert "1200000" == str(parse_amount("1.2M").value)
    assert "45000" == str(parse_amount("4.5萬").value)
    assert "800000.5" == str(parse_amount("800000.50").value)


# ---------------------------------------------------------------------------------------
# Chinese numerals written out, for round trips

_TRADITIONAL = ("零一二三四五六七八九", "十百千", "萬億")
_SIMPLIFIED = ("零一二三四五六七八九", "十百千", "万亿")
_FINANCIAL = ("零壹貳參肆伍陸柒捌玖", "拾佰仟", "萬億")


def to_chinese(n: int, style: tuple[str, str, str], *, short_ten: bool = True) -> str:
    """Write ``0 < n < 10**12`` in standard Chinese numerals: 一百二十萬三千四百五十六.

    零 marks each gap (一萬零五, 一億零五百萬); with ``short_ten`` a leading 一十 is
    written 十 (十二萬), as people do.
    """
    assert 0 < n < 10**12
    digits, small, big = style

    def section(group: int) -> str:  # 1..9999
        out = ""
        gap = False
        for place in (3, 2, 1, 0):
            d = group // 10**place % 10
            if d == 0:
                gap = gap or bool(out)
                continue
            if gap:
                out += digits[0]
                gap = False
            out += digits[d] + (small[place - 1] if place else "")
        return out

    text = ""
    gap = False
    for group, unit in ((n // 10**8, big[1]), (n // 10**4 % 10**4, big[0]), (n % 10**4, "")):
        if group == 0:
            gap = gap or bool(text)
            continue
        if text and (gap or group < 1000):
            text += digits[0]
        text += section(group) + unit
        gap = False
    if short_ten and text.startswith(digits[1] + small[0]):
        text = text[1:]
    return text


@pytest.mark.parametrize(
    ("expected", "n", "style"),
    [
        ("一百二十萬三千四百五十六", 1203456, _TRADITIONAL),
        ("一百二十万三千四百五十六", 1203456, _SIMPLIFIED),
        ("十萬零五", 100005, _TRADITIONAL),
        ("一億零五百萬", 105000000, _TRADITIONAL),
        ("一億零一千", 100001000, _TRADITIONAL),
        ("一千零一十", 1010, _TRADITIONAL),
        ("十二", 12, _TRADITIONAL),
        ("一千億", 10**11, _TRADITIONAL),
        ("九千九百九十九億九千九百九十九萬九千九百九十九", 10**12 - 1, _TRADITIONAL),
    ],
)
def test_chinese_numeral_helper(expected: str, n: int, style: tuple[str, str, str]) -> None:
    assert expected == to_chinese(n, style)


# ---------------------------------------------------------------------------------------
# Properties

_FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")
amounts = st.integers(min_value=1, max_value=10**11)


@given(amounts)
def test_digits_round_trip(n: int) -> None:
    for text in (str(n), f"{n:,}", str(n).translate(_FULL_WIDTH), f"{n:,}".translate(_FULL_WIDTH)):
        assert Amount(Decimal(n), None) == parse_amount(text), text
    assert Amount(Decimal(n), "HKD") == parse_amount(f"HK${n:,}")
    assert Amount(Decimal(n), "HKD") == parse_amount(f"{n} 港元")
    assert Amount(Decimal(n), "HKD") == parse_amount(f"ＨＫ＄{n:,}".translate(_FULL_WIDTH))


@given(st.integers(min_value=1, max_value=10**7))
def test_wan_round_trip(wan: int) -> None:
    n = Decimal(wan * 10_000)
    for text in (f"{wan}萬", f"{wan}万", f"{wan}w", f"{wan}W", f"{wan} 萬港元"):
        assert n == parse_amount(text).value, text


@given(st.integers(min_value=1, max_value=10**8))
def test_thousands_round_trip(k: int) -> None:
    n = Decimal(k * 1000)
    for text in (f"{k}k", f"{k}K", f"HK${k:,}k", f"{k}千"):
        assert n == parse_amount(text).value, text


@given(amounts)
def test_chinese_numerals_round_trip(n: int) -> None:
    for style in (_TRADITIONAL, _SIMPLIFIED):
        for short_ten in (True, False):
            text = to_chinese(n, style, short_ten=short_ten)
            assert Decimal(n) == parse_amount(text).value, text
    text = to_chinese(n, _FINANCIAL, short_ten=False)
    assert Decimal(n) == parse_amount(text).value, text


@given(st.integers(min_value=1, max_value=10**11), st.integers(min_value=0, max_value=99))
def test_cents_round_trip(n: int, cents: int) -> None:
    value = Decimal(n) + Decimal(cents) / 100
    assert value == parse_amount(f"{value:,.2f}").value


def _never_wrong_kind(text: str) -> None:
    try:
        amount = parse_amount(text)
    except AmountError as error:
        assert error.reason in {"empty", "no_number", "ambiguous", "negative", "too_large", "zero"}
    else:
        assert amount.value > 0
        assert amount.value <= MAX_AMOUNT
        assert amount.currency in {None, "HKD", "RMB", "USD", "OTHER"}


@given(st.text())
def test_any_text_gives_an_amount_or_an_amount_error(text: str) -> None:
    _never_wrong_kind(text)


@given(st.text(alphabet="0123456789,. -−萬万億千百十零〇一二兩三五九廿點kmwK$元HK港蚊左右約"))
def test_number_like_text_gives_an_amount_or_an_amount_error(text: str) -> None:
    _never_wrong_kind(text)
