"""Who is who: Thai national IDs and names written in different ways, for spotting duplicate reports."""

import pytest

from services.intake.people import (
    NAME_MATCH_THRESHOLD,
    clean_national_id,
    name_key,
    name_similarity,
    names_match,
    national_id_is_valid,
)

# Check digits worked out by hand with weights 13..2 on the first 12 digits, check = (11 - sum % 11) % 10.
VALID_IDS = [
    "1103702071811",  # sum 197, 197 % 11 = 10, check 1
    "1103702071820",  # sum 199, 199 % 11 = 1, check 0
    "1103702071871",  # sum 209, 209 % 11 = 0, check 1
    "3100500123458",
    "1234567890121",
    "3500100123457",
]


@pytest.mark.parametrize("value", VALID_IDS)
def test_a_13_digit_id_with_the_right_check_digit_is_valid(value):
    assert national_id_is_valid(value)


@pytest.mark.parametrize("value", ["1103702071812", "1103702071810", "1103702071821", "3100500123457", "1234567890120"])
def test_an_id_with_the_wrong_check_digit_is_invalid(value):
    assert not national_id_is_valid(value)


@pytest.mark.parametrize("value", ["", "1", "110370207181", "11037020718111", "0" * 20])
def test_an_id_that_is_not_13_digits_long_is_invalid(value):
    assert not national_id_is_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        "110370207181a",
        "1-1037-02071-81-1",
        " 1103702071811",
        "1103702071811 ",
        "+110370207181",
        "๑๑๐๓๗๐๒๐๗๑๘๑๑",  # Thai digits
        "１１０３７０２０７１８１１",  # full-width digits
    ],
)
def test_an_id_with_anything_but_ascii_digits_is_invalid(value):
    assert not national_id_is_valid(value)


@pytest.mark.parametrize(
    "typed", ["1-1037-02071-81-1", "1 1037 02071 81 1", " 1103702071811 ", "1-1037 -02071-81-1", "1103702071811"]
)
def test_spaces_and_dashes_are_cleaned_from_an_id_as_typed(typed):
    assert clean_national_id(typed) == "1103702071811"
    assert national_id_is_valid(clean_national_id(typed))


def test_cleaning_an_id_keeps_everything_else_so_that_validation_can_refuse_it():
    assert clean_national_id("1-1037-0207l-81-1") == "110370207l811"
    assert not national_id_is_valid(clean_national_id("1-1037-0207l-81-1"))


THAI_SAME_NAME = [
    ("สมชาย ใจดี", "สม ชาย ใจ ดี"),  # spaces inside the names
    ("สมชาย ใจดี", "สมชาย  ใจดี"),  # double space
    ("สมชาย ใจดี", "  สมชาย ใจดี\t"),  # surrounding whitespace
    ("สมชาย ใจดี", "สมชายใจดี"),  # no space at all
    ("สมชาย ใจดี", "สมชาย ใจดี่"),  # stray tone mark
    ("สมชาย ใจดี", "สมช้าย ใจดี"),  # wrong tone mark
    ("สมศักดิ์ รักไทย", "สมศักดิ รักไทย"),  # thanthakhat left out
    ("เพ็ญศรี ทองคำ", "เพญศรี ทองคำ"),  # mai taikhu left out
    ("น้ำฝน ใจดี", "น\u0e49\u0e4d\u0e32ฝน ใจดี"),  # sara am typed as nikhahit + sara aa
    ("แก้วมณี ใจดี", "เเก้วมณี ใจดี"),  # sara ae typed as two sara e
    ("สมชาย ใจดี", "สมชาย\u200bใจดี"),  # zero-width space from a word processor
    ("กิตติพงษ์ ศรีสุข", "กิตติพงศ์ ศรีสุข"),  # ษ/ศ sound the same
    ("ณัฐวุฒิ ใจดี", "นัฐวุฒิ ใจดี"),  # ณ/น sound the same
    ("สมชาย ใจดี", "สมชาย ไจดี"),  # ใ/ไ sound the same
    ("ธนพล สุขใจ", "ทนพล สุขใจ"),  # ธ/ท sound the same
]


@pytest.mark.parametrize(("a", "b"), THAI_SAME_NAME)
def test_tone_marks_and_spacing_do_not_hide_a_thai_name(a, b):
    assert name_key(a) == name_key(b)
    assert name_similarity(a, b) == 1.0
    assert names_match(a, b)


THAI_TITLES = ["นาย", "นาง", "นางสาว", "น.ส.", "นส.", "ด.ช.", "ด.ญ.", "ด.ช", "ดญ.", "ด. ญ.", "เด็กชาย", "เด็กหญิง"]


@pytest.mark.parametrize("title", THAI_TITLES)
@pytest.mark.parametrize("separator", ["", " ", "  "])
def test_a_thai_title_before_the_name_is_ignored(title, separator):
    assert name_key(f"{title}{separator}มานี มีนา") == name_key("มานี มีนา")
    assert names_match(f"{title}{separator}มานี มีนา", "มานี มีนา")


def test_a_name_that_starts_like_a_title_keeps_its_own_letters():
    assert name_key("นางสาวิตรี ใจดี") == name_key("นาง สาวิตรี ใจดี") == name_key("สาวิตรี ใจดี")
    assert name_key("สาวิตรี ใจดี") != name_key("ตรี ใจดี")


@pytest.mark.parametrize("title", ["Mr", "Mr.", "MR.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss", "MISS", "Master"])
def test_an_english_title_before_the_name_is_ignored(title):
    assert name_key(f"{title} Somchai Jaidee") == name_key("Somchai Jaidee")
    assert names_match(f"{title} Somchai Jaidee", "somchai jaidee")


def test_an_english_title_is_only_a_whole_word():
    assert name_key("Missana Jaidee") != name_key("Ana Jaidee")
    assert name_key("Mrsomchai Jaidee") != name_key("Somchai Jaidee")


LATIN_SAME_NAME = [
    ("Somchai Jaidee", "SOMCHAI JAIDEE"),  # case
    ("Somchai Jaidee", "somchai  jaidee"),  # spacing
    ("Somchai Jaidee", "Som-chai Jai dee"),  # hyphens and spaces
    ("Somchai Jaidee", "Somchay Chaidee"),  # ai/ay, j/ch, ee/i folded the same way
    ("Somchai Jaidee", "Somchai Jaidi"),  # ee/i
    ("Somchai Jaidee", "Somchai Jaidii"),  # ee/ii
    ("Somchai Jaidee", "Somshai Jaidee"),  # ch/sh
    ("Somchai Jaidee", "Somchei Jaidee"),  # ai/ei
    ("Pornthip Boonmee", "Phonthip Bunmi"),  # ph/p, final r/n, oo/u
    ("Pornthip Boonmee", "Porntip Bounmee"),  # th/t, ou/u
    ("Kanokwan Khamdee", "Kanokwan Kamdee"),  # kh/k
    ("Wirat Wongsawat", "Virat Vongsawat"),  # w/v
    ("Kittipong Srisuk", "Kitipong Srisook"),  # double letters, oo/u
    ("Kamol Sukjai", "Kamon Sookjai"),  # final l/n
    ("Somkid Thongdee", "Somkit Tongdi"),  # final d/t
    ("Chalerm Wongsawat", "Chaloem Wongsawat"),  # er/oe
    ("Supaporn Jaidee", "Suphaphon Chaidee"),  # several at once
    ("Somchai Jaidee", "Sòmchai Jaidée"),  # accents some keyboards add
]


@pytest.mark.parametrize(("a", "b"), LATIN_SAME_NAME)
def test_common_transliteration_variants_give_the_same_latin_name(a, b):
    assert name_key(a) == name_key(b)
    assert names_match(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("สมชาย ใจดี", "ใจดี สมชาย"),
        ("สมชาย ใจดี", "นาย ใจดี สมชาย"),
        ("สม ชาย ใจ ดี", "ใจดี สมชาย"),
        ("Somchai Jaidee", "Jaidee Somchai"),
        ("Somchai Jaidee", "JAIDEE, Somchai"),
        ("Mr Somchai Jaidee", "Chaidee Somchay"),
    ],
)
def test_a_name_with_family_and_given_name_swapped_still_matches(a, b):
    assert name_similarity(a, b) == 1.0
    assert names_match(a, b)
    assert names_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("สมชาย ใจดี", "สมชาย ใจด"),  # a vowel left out
        ("กิตติพงษ์ ศรีสุข", "กิตติพงษ์ ศรีสุก"),  # one wrong letter in a long name
        ("Somchai Jaidee", "Somchai Jaidie"),  # one extra letter
        ("Kittipong Srisuk", "Kittipong Srisak"),  # one wrong letter in a long name
    ],
)
def test_one_slip_of_the_pen_in_a_full_name_still_matches(a, b):
    assert NAME_MATCH_THRESHOLD <= name_similarity(a, b) < 1.0
    assert names_match(a, b)


DIFFERENT_NAMES = [
    ("สมชาย ใจดี", "สมศรี ใจดี"),
    ("มานี มีนา", "มานะ มีนา"),
    ("สมชาย ใจดี", "สมชาย ใจงาม"),
    ("สมชาย ใจดี", "สมชาย"),  # the family name is missing: not enough to call it the same person
    ("ด.ช. มานะ มีนา", "ด.ญ. มานี มีนา"),
    ("สุดา ใจดี", "สุดารัตน์ ใจดี"),
    ("Somchai", "Somsak"),
    ("Somchai Jaidee", "Somsak Jaidee"),
    ("Mani Meena", "Mana Meena"),
    ("Kanya Jaidee", "Kanda Jaidee"),  # twins: one letter in a short name
    ("Wichai Srisuk", "Wichit Srisuk"),
    ("Somchai Jaidee", "Somchai Jaingam"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_NAMES)
def test_clearly_different_names_do_not_match(a, b):
    assert name_key(a) != name_key(b)
    assert name_similarity(a, b) < NAME_MATCH_THRESHOLD
    assert not names_match(a, b)
    assert not names_match(b, a)


EMPTY_NAMES = ["", " ", "\t\n", "-", "นาย", "ด.ญ.", "Mr.", "่"]


@pytest.mark.parametrize("empty", EMPTY_NAMES)
@pytest.mark.parametrize("other", ["", "สมชาย ใจดี", "Somchai Jaidee", "นาย", "Mr."])
def test_an_empty_name_never_matches_anything(empty, other):
    assert name_key(empty) == ""
    assert name_similarity(empty, other) == 0.0
    assert not names_match(empty, other)
    assert not names_match(other, empty)


@pytest.mark.parametrize("name", ["สมชาย ใจดี", "นาย สม-ชาย  ใจดี่", "Mr. Som-chai JAIDEE", "Somchay Chaidee"])
def test_a_name_key_is_lower_case_without_spaces_or_punctuation_and_always_the_same(name):
    key = name_key(name)
    assert key
    assert key == key.lower()
    assert not any(c in key for c in " -.\t")
    assert name_key(name) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [("สมชาย ใจดี", "สมศรี ใจดี"), ("Somchai Jaidee", "Jaidee Somchai"), ("Somchai", "สมชาย"), ("a", "")],
)
def test_similarity_is_between_zero_and_one_and_does_not_depend_on_order(a, b):
    assert 0.0 <= name_similarity(a, b) <= 1.0
    assert name_similarity(a, b) == name_similarity(b, a)


@pytest.mark.parametrize(
    ("thai", "latin"),
    [
        ("สมชาย ใจดี", "Somchai Jaidee"),
        ("นายสมชาย ใจดี", "Mr Somchay Chaidee"),
        ("ใจดี สมชาย", "Somchai Jaidee"),
        ("มานี มีนา", "Manee Meena"),
        ("สมศักดิ์ รักไทย", "Somsak Rakthai"),
        ("พรทิพย์ บุญมา", "Pornthip Boonma"),
        ("บุญมี ทองดี", "Boonmee Thongdee"),
        ("ประยุทธ์ จันทร์โอชา", "Prayuth Chan-ocha"),
        ("วิชัย ศรีสุข", "Wichai Srisuk"),
        ("สมพร ใจดี", "Somporn Jaidee"),
    ],
)
def test_a_thai_name_matches_its_usual_latin_spelling(thai, latin):
    assert names_match(thai, latin)
    assert names_match(latin, thai)


@pytest.mark.parametrize(
    ("thai", "latin"),
    [
        ("สมศรี ใจดี", "Somchai Jaidee"),
        ("สมชาย ใจดี", "Somsak Jaidee"),
        ("มานะ มีนา", "Manee Meena"),
        ("มานี มีนา", "Mana Meena"),
        ("สมชาย ใจดี", "Somchai Jaingam"),
    ],
)
def test_a_thai_name_does_not_match_the_latin_spelling_of_another_name(thai, latin):
    assert not names_match(thai, latin)
    assert not names_match(latin, thai)


def test_thai_and_latin_names_have_different_keys_because_keys_do_not_romanise():
    assert name_key("สมชาย ใจดี") != name_key("Somchai Jaidee")
