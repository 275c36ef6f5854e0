"""Hangul helpers for name search (초성 검색)."""

from __future__ import annotations

import unicodedata

_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_SYLLABLE_FIRST = 0xAC00
_SYLLABLE_LAST = 0xD7A3
_COMPAT_CONSONANTS = frozenset("ㄱㄲㄳㄴㄵㄶㄷㄸㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅃㅄㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")


def initials(text: str) -> str:
    """'김민수' -> 'ㄱㅁㅅ'. Non-Hangul characters are kept so mixed names still match."""
    out = []
    for ch in text:
        code = ord(ch)
        if _SYLLABLE_FIRST <= code <= _SYLLABLE_LAST:
            out.append(_CHOSEONG[(code - _SYLLABLE_FIRST) // 588])
        elif not ch.isspace():
            out.append(ch)
    return "".join(out)


def syllables_starting_with(consonant: str) -> tuple[str, str] | None:
    """The syllables whose initial is ``consonant`` ('ㅂ' -> '바' to just before '빠'), as a half-open range
    of characters: one initial's syllables are consecutive in Unicode. None for anything else."""
    index = _CHOSEONG.find(consonant) if len(consonant) == 1 else -1
    if index < 0:
        return None
    return chr(_SYLLABLE_FIRST + index * 588), chr(_SYLLABLE_FIRST + (index + 1) * 588)


def is_initials_query(text: str) -> bool:
    """True when the query is made only of initial consonants (e.g. 'ㄱㅁㅅ')."""
    stripped = text.replace(" ", "")
    return bool(stripped) and all(ch in _COMPAT_CONSONANTS for ch in stripped)


def ends_with_batchim(word: str) -> bool:
    """Whether the word's last syllable has a final consonant; digits and Latin letters are read aloud
    in Korean (1 일, 3 삼, 6 육, 7 칠, 8 팔, 0 영; L, M, N, R end in a consonant)."""
    word = word.rstrip(") ")
    if not word:
        return False
    last = word[-1]
    code = ord(last)
    if _SYLLABLE_FIRST <= code <= _SYLLABLE_LAST:
        return (code - _SYLLABLE_FIRST) % 28 != 0
    if last.isdigit():
        return last in "136780"
    return last.upper() in "LMNR"


def subject_particle(word: str) -> str:
    """이 after a final consonant, 가 otherwise: '센터가', '병원이'."""
    return "이" if ends_with_batchim(word) else "가"


def nfc(text: str) -> str:
    """Hangul composed (NFC). A name typed on some keyboards or pasted from a Mac arrives as decomposed jamo
    (ᄀ+ᅵ+ᆷ for 김): it looks the same but matches nothing stored composed, and its initials come out wrong."""
    return unicodedata.normalize("NFC", text) if text and not text.isascii() else text
