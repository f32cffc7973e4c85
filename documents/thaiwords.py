"""Thai words for the PDF engine: where a line may break.

Thai is written without spaces between words, so a typesetter must find the word
boundaries itself. typst's own segmenter splits some words (อาสาส|มัคร, งบ|ประมาณ);
pythainlp's dictionary tokenizer does better, so the PDF gets each word as an unbreakable
box and may break only between words. Its "longest" engine (longest dictionary match,
offline) keeps โครงการ|อบรม and ป้องกัน|ภัย whole where "newmm" cuts โครง|การอบรม, and is
fast enough for a 1,000-project plan.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pythainlp.tokenize import word_tokenize

_THAI = re.compile(r"[\u0e00-\u0e7f]")


SHORT = 10
"""Strings this short fit the narrowest column on one line: no need to cut them."""


@lru_cache(maxsize=65_536)
def words(text: str) -> tuple[str, ...]:
    """``text`` cut into words and spaces (``" "``); joined back, it is ``text`` again."""
    if len(text) <= SHORT:
        return (text,)
    if not _THAI.search(text):
        return tuple(re.split(r"( )", text)) if " " in text else (text,)
    return tuple(word_tokenize(text, engine="longest", keep_whitespace=True))
