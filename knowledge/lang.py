"""Which of the bot's three languages a message is written in.

``yue`` is Cantonese: Traditional characters, or Cantonese words in either script ("几多钱" is
still Cantonese). ``zh`` is Putonghua in Simplified characters. ``en`` is everything without
Chinese. When the characters say nothing either way (e.g. "上限"), the caller's fallback wins.
"""

from __future__ import annotations

import re

from knowledge.models import Lang
from knowledge.text import CJK, clean, is_simplified_only, is_traditional_only

# Characters and words that only written Cantonese uses, in either script.
_CANTONESE = re.compile(
    "[係喺唔冇嘅咩咗啲嚟佢哋嗰乜嘢畀睇諗谂揾搵攞啱㗎喎囉嚿嗮晒咪噉咁]|"
    "點樣|点样|幾多|几多|幾耐|几耐|幾時|几时|邊度|边度|邊個|边个|使唔使|有冇|而家|依家|同埋"
)


# Function and question words: their presence means the sentence itself is Chinese.
_CHINESE_GRAMMAR = re.compile(
    "[的是嗎吗呢咩嘅係唔冇了要可以甚什麼么點点怎多少幾几哪邊边誰谁請请沒没不會会能]"
)


def detect_language(text: str, fallback: Lang = "en") -> Lang:
    """The language of ``text``; ``fallback`` when it cannot be told (no letters, or ambiguous)."""
    text = clean(text)
    chinese = len(CJK.findall(text))
    english_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if chinese == 0:
        return "en" if english_words else fallback
    if english_words >= 3 and english_words * 3 >= chinese and not _CHINESE_GRAMMAR.search(text):
        return "en"  # an English sentence quoting a Chinese term: "what does 三來一補 mean?"
    if _CANTONESE.search(text):
        return "yue"
    traditional = sum(1 for ch in text if is_traditional_only(ch))
    simplified = sum(1 for ch in text if is_simplified_only(ch))
    if traditional > simplified:
        return "yue"
    if simplified > traditional:
        return "zh"
    if fallback in ("yue", "zh"):
        return fallback
    return "zh" if chinese >= 2 else fallback


_ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z']+")
_ACRONYM = re.compile(r"[A-Z]{2,6}s?")  # DP, OSI, CPPP, HKPC: programme terms in any language
_ENGLISH_GRAMMAR = frozenset(
    "what how can could is are am do does did will would which when where who why the a an "
    "for of to in on my our we i you your it this that there please pls any".split()
)


def conversation_language(text: str, current: Lang) -> Lang:
    """The language to answer ``text`` in, in a conversation held in ``current``.

    A Chinese message sets Cantonese or Putonghua as ``detect_language`` says. An English one
    switches a Chinese conversation to English only when it is an English sentence (three words
    or more besides programme acronyms, one of them a function word): "OSI funding ceiling?" or
    "ok thx" in a Cantonese conversation is answered in Cantonese."""
    detected = detect_language(text, fallback=current)
    if detected != "en" or current == "en":
        return detected
    words = [w for w in _ENGLISH_WORD.findall(clean(text)) if not _ACRONYM.fullmatch(w)]
    if len(words) >= 3 and any(w.lower() in _ENGLISH_GRAMMAR for w in words):
        return "en"
    return current
