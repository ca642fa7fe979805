"""People matching for duplicate-report detection: Thai national IDs and fuzzy Thai/Latin name matching.

Pure functions, no I/O. Cross-script matching (Thai script against Latin) romanises Thai syllable by syllable with
pythainlp's rule-based `royin` (RTGS) engine, from its bundled dictionaries only (no downloads). It is best-effort:
a name whose usual Latin spelling is far from RTGS, or that royin gets wrong, can fail to match its Thai spelling.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cache, lru_cache

from rapidfuzz import fuzz

from saphan_runtime.heap import settle_garbage_collector

# Scores are rapidfuzz's normalised Indel ratio of the folded keys, so after folding (titles, spacing, tone marks,
# sound-alike letters, transliteration variants) one slip costs: a dropped or extra letter 2n/(2n+1), where n is
# the shorter key's length (>= 0.91 from n = 6, i.e. any full name: "สมชาย ใจดี" vs "สมชาย ใจด" scores 0.94); a
# substituted letter 1 - 1/n (>= 0.91 only from n = 12). Names of siblings and twins typically differ by one
# substituted letter in a short key, and must stay apart: "มานี มีนา"/"มานะ มีนา" and "Mani Meena"/"Mana Meena"
# (0.875), "Kanya Jaidee"/"Kanda Jaidee" (0.90, which a 0.90 threshold would let through), "สมชาย ใจดี"/"สมศรี ใจดี"
# (0.67), "Somchai Jaidee"/"Somsak Jaidee" (0.82); a long name keeps one typo: "กิตติพงษ์ ศรีสุข"/"กิตติพงษ์ ศรีสุก" (0.93).
NAME_MATCH_THRESHOLD: float = 0.91

_THAI_CHECK_WEIGHTS = range(13, 1, -1)
_ID_SEPARATORS = re.compile(r"[\s\-]+")

# Titles at the very start, with or without a following space; a Thai title must be followed by something that can
# start a Thai syllable (so "นางสาวิตรี" loses "นาง", not "นางสาว"), a space, a dot, non-Thai text or the end.
_THAI_START = r"(?=[\u0e01-\u0e2e\u0e40-\u0e44]|[^\u0e00-\u0e7f]|$)"
_THAI_TITLES = r"(?:นางสาว|นาง|นาย|เด็?กชาย|เด็?กหญิง|น(?:\.\s*ส\.?|ส\.)|ด(?:\.\s*[ชญ]\.?|[ชญ]\.))"
_TITLE = re.compile(rf"^\s*(?:{_THAI_TITLES}{_THAI_START}|(?:mrs|mr|ms|miss|mstr|master)\b\.?)[\s.]*")
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
# Marks people drop or mistype: tone marks, thanthakhat, mai taikhu, yamakkan, phinthu, paiyannoi, mai yamok.
_THAI_DROPPED = re.compile("[\u0e47-\u0e4c\u0e4e\u0e3a\u0e2f\u0e46]")
# Letters that sound the same (tone marks are gone already) and are confused when names are written down by ear.
_THAI_SOUND_ALIKE = str.maketrans("ศษซฐฑฒถธภผขฃฅฆณฌฉฎฏฬญฝฮใ", "สสสทททททพพคคคคนชชดตลยฟหไ")
_TOKEN = re.compile(r"[a-z]+|[\u0e01-\u0e3a\u0e40-\u0e4e]+")
_THAI = re.compile(r"[\u0e01-\u0e4e]")

# Latin transliteration folding, applied in order to one lower-case a-z token.
_LATIN_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"tch|ch|sh", "j"),  # ช/ฉ/ฌ/จ: Somchai, Somjai, Somshai
        (r"ph|bh", "p"),  # พ/ผ/ภ: Phon, Pon
        (r"th|dh", "t"),  # ท/ธ/ถ: Thip, Tip
        (r"kh|ck|q|c", "k"),  # ข/ค: Khan, Kan
        (r"v", "w"),  # ว: Wirat, Virat
        (r"ee|ii", "i"),  # อี: Jaidee, Jaidi, Jaidii
        (r"oo|ou", "u"),  # อู/อุ: Boonmee, Bunmi, Bounmi
        (r"eu", "ue"),  # อึ/อือ: Rueang, Reuang
        (r"er(?![aeiouy])", "oe"),  # เออ: Chalerm, Chaloem; Charern, Charoen
        (r"ay(?![aeiou])|ei(?![aeiou])", "ai"),  # ไอ/ใอ: Somchay, Somchei, Somchai
        (r"r(?![aeiouy])", "n"),  # final ร: Porn, Phon; Kasorn, Kason
        (r"l(?![aeiouy])", "n"),  # final ล: Kamol, Kamon
        (r"d(?![aeiouy])", "t"),  # final ด: Somkid, Somkit
        (r"([a-z])\1+", r"\1"),  # double letters: Kittipong, Kitipong
    )
)


def clean_national_id(value: str) -> str:
    """Remove spaces and dashes from a national ID as typed ("1-1037-02071-81-1" -> "1103702071811")."""
    return _ID_SEPARATORS.sub("", value)


def national_id_is_valid(value: str) -> bool:
    """Return whether `value` is exactly 13 ASCII digits whose last digit is the Thai national ID check digit."""
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value, _THAI_CHECK_WEIGHTS, strict=False))
    return (11 - total % 11) % 10 == int(value[12])


def _clean(name: str) -> str:
    """Lower-case, strip Latin accents and zero-width characters, fix Thai typing variants and remove titles."""
    text = unicodedata.normalize("NFKD", _ZERO_WIDTH.sub("", name)).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c) or "\u0e00" <= c <= "\u0e7f")
    text = text.replace("\u0e4d\u0e32", "\u0e33").replace("\u0e40\u0e40", "\u0e41")  # ํา -> ำ, เเ -> แ
    while (stripped := _TITLE.sub("", text, count=1)) != text:
        text = stripped
    return text


def _raw_tokens(name: str) -> list[str]:
    """Split a cleaned name into Latin and Thai tokens, keeping Thai marks (romanisation needs them)."""
    return _TOKEN.findall(_clean(name))


def _fold_latin(token: str) -> str:
    """Fold one lower-case Latin token to a single transliteration spelling."""
    for pattern, replacement in _LATIN_FOLDS:
        token = pattern.sub(replacement, token)
    return token


def _fold_thai(token: str) -> str:
    """Drop the Thai marks that people leave out or mistype and fold letters that sound alike."""
    return _THAI_DROPPED.sub("", token).replace("\u0e4d", "").translate(_THAI_SOUND_ALIKE)


def _token_key(token: str) -> str:
    """Return the matching key of one token in its own script."""
    return _fold_thai(token) if _THAI.match(token) else _fold_latin(token)


@lru_cache(maxsize=4096)
def _romanised_key(token: str) -> str:
    """Return the matching key of one token in Latin script, romanising Thai syllable by syllable with RTGS (royin)."""
    if not _THAI.match(token):
        return _fold_latin(token)
    # Imported lazily: only cross-script comparisons need pythainlp. Both parts use its bundled dictionaries only;
    # read-only mode keeps it from creating a data folder in a home directory that may not be writable.
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    from pythainlp.tokenize import syllable_tokenize
    from pythainlp.transliterate import romanize

    syllables = syllable_tokenize(token, engine="dict")
    key = _fold_latin(re.sub(r"[^a-z]", "", "".join(romanize(s, engine="royin") for s in syllables)))
    _freeze_dictionaries()
    return key


@cache
def _freeze_dictionaries() -> None:
    """Once pythainlp's dictionaries are loaded (its tries: hundreds of thousands of objects kept for the process's
    life), put them out of the garbage collector's sight, as the service did with what it made to start."""
    settle_garbage_collector()


def name_key(name: str) -> str:
    """Return the normalised matching key of a name ("" for an empty name)."""
    return "".join(_token_key(token) for token in _raw_tokens(name))


def _rotations(keys: list[str]) -> list[str]:
    """Return the joined keys in every rotation of the token order (covers given/family name swaps)."""
    return ["".join(keys[i:] + keys[:i]) for i in range(max(len(keys), 1))]


def _scripts(keys: list[str]) -> set[bool]:
    """Return which scripts the keys use (True for Thai, False for Latin)."""
    return {bool(_THAI.match(key)) for key in keys if key}


def name_similarity(a: str, b: str) -> float:
    """Return a 0..1 similarity of two names, tolerant of spelling variants and swapped name order."""
    tokens_a, tokens_b = _raw_tokens(a), _raw_tokens(b)
    keys_a, keys_b = [_token_key(t) for t in tokens_a], [_token_key(t) for t in tokens_b]
    if not "".join(keys_a) or not "".join(keys_b):
        return 0.0
    if _scripts(keys_a) != _scripts(keys_b):
        keys_a, keys_b = [_romanised_key(t) for t in tokens_a], [_romanised_key(t) for t in tokens_b]
    whole_a, whole_b = "".join(keys_a), "".join(keys_b)
    if not whole_a or not whole_b:  # a Thai name that romanises to nothing
        return 0.0
    best = max(fuzz.ratio(whole_a, rotated) for rotated in _rotations(keys_b))
    best = max(best, max(fuzz.ratio(rotated, whole_b) for rotated in _rotations(keys_a)))
    return best / 100.0


def names_match(a: str, b: str) -> bool:
    """Return whether two names are a close match (similarity at or above `NAME_MATCH_THRESHOLD`)."""
    return name_similarity(a, b) >= NAME_MATCH_THRESHOLD
