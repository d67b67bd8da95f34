"""Fold a user's question and the FAQ's questions into one comparable form.

The pipeline is the same for both sides, so what matters is consistency, not linguistics:
half-width → lower-case → written Cantonese to standard written Chinese → Simplified →
domain synonyms to shared concept words (so "DP(II)", "示範項目(II)" and "demonstration project
(II)" meet) → tokens: jieba words and character bigrams for Chinese, lightly stemmed words for
English.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jieba
import yaml

from knowledge.loader import DATA_DIR
from knowledge.text import CJK, clean, to_simplified

_ASCII_WORD = re.compile(r"[a-z0-9][a-z0-9_$.+]*[a-z0-9]|[a-z0-9]")
# "5萬", "1.2百萬", "八十萬", "六成": amounts and shares, whatever their size, are one kind of word.
_DIGIT_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(百万|千万|万|千|亿|k|m)(?![a-z])")
_CHINESE_NUMBER = re.compile(
    r"[零〇一二两三四五六七八九十百千万亿廿半]{2,}成?|[一二两三四五六七八九十]成"
)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

ENGLISH_STOPWORDS = frozenset(
    """a an the of to in on for and or is are was were be been am i me my we our us you your it its
    this that these those there here do does did can could would should will shall may might
    please pls plz dear tell know want wants wanted like about with as at
    by from any some if so just also get got let what which whom whose ok okay would really
    actually exactly roughly approximately around take takes taking took s t d ll re ve m
    sorry meant oops""".split()
)
CHINESE_STOPWORDS = frozenset(
    """的 了 吗 呢 吧 啊 呀 嘛 哦 喔 啦 喇 㗎 嘞 咧 噃 喎 囉 个 我 你 我们 你们 请问 请 问 问下 一下
    想 想问 知道 想知 谢谢 麻烦 您 好 是 在 有 就 都 也 和 与 及 或 这 那 这个 那个 些 这些 那些
    大概 大约 今次 这次 先 咋 返 下 吓 呀 啰 罢了 而已 其实 究竟 到底 一定 左右 呢个 请教
    """.split()
)


def _stem(word: str) -> str:
    """Light English stemming: enough that 'quotations' meets 'quotation' and 'applied' 'apply'."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Tables:
    """The editable language data behind normalisation (files under knowledge/data)."""

    cantonese: dict[str, str]
    synonyms: dict[str, tuple[str, ...]]
    userdict: Path

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> Tables:
        with (data_dir / "cantonese.yaml").open(encoding="utf-8") as handle:
            cantonese = {str(k): str(v) for k, v in (yaml.safe_load(handle) or {}).items()}
        with (data_dir / "synonyms.yaml").open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or {}
        synonyms = {str(k): tuple(str(p) for p in v) for k, v in raw.items()}
        return cls(cantonese, synonyms, data_dir / "userdict.txt")


def _alternation(phrases: Iterable[str]) -> str:
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))


class Normaliser:
    """Turns text into a folded string and a list of matching features."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        cantonese: dict[str, str] = {}
        for colloquial, standard in tables.cantonese.items():
            cantonese[colloquial] = standard
            cantonese.setdefault(to_simplified(colloquial), standard)
        # 系 is both Simplified 係 and an ordinary word (系统): only the Traditional form is mapped.
        cantonese.pop("系", None)
        self._cantonese = cantonese
        self._cantonese_re = re.compile(_alternation(cantonese))
        concept_of: dict[str, str] = {}
        for concept, phrases in tables.synonyms.items():
            for phrase in (concept, *phrases):
                folded = to_simplified(clean(phrase).lower())
                concept_of.setdefault(folded, concept)
        self._concept_of = concept_of
        ascii_phrases = [p for p in concept_of if p.isascii()]
        cjk_phrases = [p for p in concept_of if not p.isascii()]
        pattern = rf"(?<![a-z0-9])(?:{_alternation(ascii_phrases)})(?![a-z0-9])"
        if cjk_phrases:
            pattern += f"|{_alternation(cjk_phrases)}"
        self._synonym_re = re.compile(pattern)
        self._tokenizer = jieba.Tokenizer()
        jieba.setLogLevel(logging.WARNING)
        self._tokenizer.load_userdict(str(tables.userdict))

    def fold(self, text: str) -> str:
        """The comparable form of ``text``: one script, standard Chinese, concepts for synonyms."""
        text = clean(text).lower().replace("%", " percent ")
        text = self._cantonese_re.sub(lambda m: self._cantonese[m.group(0)], text)
        text = to_simplified(text)
        text = _DIGIT_AMOUNT.sub(" num ", text)
        text = _CHINESE_NUMBER.sub(" num ", text)
        text = self._synonym_re.sub(lambda m: f" {self._concept_of[m.group(0)]} ", text)
        return re.sub(r"\s+", " ", text).strip()

    def words(self, folded: str) -> list[str]:
        """Word tokens of a folded string, stop words dropped, English stemmed."""
        out: list[str] = []
        for piece in re.split(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)", folded):
            if not piece:
                continue
            if CJK.match(piece):
                # No HMM: unknown runs stay single characters instead of becoming invented words
                # ("要交中"); the index decides which single characters it knows.
                out.extend(
                    w for w in self._tokenizer.lcut(piece, HMM=False) if w not in CHINESE_STOPWORDS
                )
            else:
                for word in _ASCII_WORD.findall(piece.replace(",", "")):
                    if word in ENGLISH_STOPWORDS:
                        continue
                    if word[0].isdigit() and not word.endswith("percent"):
                        word = "num"
                    out.append(word if word in self.tables.synonyms else _stem(word))
        return out

    @staticmethod
    def bigrams(folded: str) -> list[str]:
        """Character bigrams of the Chinese runs: robust to segmentation and one-character typos."""
        grams: list[str] = []
        for run in _CJK_RUN.findall(folded):
            if len(run) == 1:
                grams.append(run)
            grams.extend(run[i : i + 2] for i in range(len(run) - 1))
        return grams


@functools.cache
def default_normaliser() -> Normaliser:
    return Normaliser(Tables.load())
