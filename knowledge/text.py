"""Text normalisation shared by search, language detection and the knowledge checks.

People write to the bot in Traditional or Simplified characters, in written Cantonese or standard
written Chinese, with full-width digits and mixed English. Matching folds all of that to one form:
half-width, lower-case, Simplified, standard written Chinese.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")
_S2HK = opencc.OpenCC("s2hk")

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms (ＤＰ，１２３) to their half-width equivalents; ideographic space too."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def to_simplified(text: str) -> str:
    return str(_T2S.convert(text))


def to_traditional(text: str) -> str:
    """Simplified to Traditional with Hong Kong variants, for text shown to Cantonese users."""
    return str(_S2HK.convert(text))


# Characters OpenCC would convert that are nevertheless standard in Hong Kong Traditional text
# (伙伴, 公里, 皇后, 干涉, 准許, 剩余 is not, but 余 as a surname is...): never flag them.
_SHARED_FORMS = frozenset("伙里后干冲准余凶于占朴征范台只系着志制周松板晒涌群")


@functools.cache
def is_simplified_only(ch: str) -> bool:
    """A character written only in Simplified (Hong Kong Traditional uses another form)."""
    return (
        bool(CJK.match(ch))
        and ch not in _SHARED_FORMS
        and _S2HK.convert(ch) != ch
        and _T2S.convert(ch) == ch
    )


@functools.cache
def is_traditional_only(ch: str) -> bool:
    """A character written only in Traditional (it has a different Simplified form)."""
    return bool(CJK.match(ch)) and _T2S.convert(ch) != ch


def clean(text: str) -> str:
    """NFKC-safe cleanup for any user text: half-width, no control characters, single spaces."""
    text = to_halfwidth(text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def tidy(text: str) -> str:
    """User text kept as typed (for staff to read): control characters removed, line breaks and
    full-width punctuation kept, blank lines and outer spaces trimmed."""
    lines = (
        "".join(ch for ch in line if unicodedata.category(ch)[0] != "C").strip()
        for line in text.splitlines()
    )
    return "\n".join(line for line in lines if line)
