"""validators (single values) and tomlplaces (where things stand in book.toml), directly."""

from pathlib import Path
from typing import get_args

import pytest

from allianceprint.config import MAX_TOML_NESTING, Kind, _Validator
from allianceprint.tomlplaces import TomlPlaces, too_deep
from allianceprint.validators import (
    control_character_problem,
    isbn13_valid,
    language_tag_problem,
    orcid_valid,
)


@pytest.mark.parametrize(
    "value, ok",
    [
        ("9780306406157", True),
        ("978-0-306-40615-7", True),
        ("978 0 306 40615 7", True),
        ("9790306406157", False),  # 979 with the 978 check digit
        ("9780306406158", False),  # wrong check digit
        ("0306406152", False),  # an ISBN-10, valid as such: book.toml wants ISBN-13
        ("9770306406157", False),
        ("978030640615", False),
        ("٩٧٨٠٣٠٦٤٠٦١٥٧", False),  # digits of another script
    ],
)
def test_isbn13(value, ok):
    assert isbn13_valid(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [
        ("0000-0002-1825-0097", True),
        ("0000-0002-1694-233X", True),
        ("0000-0002-1825-0098", False),
        ("0000000218250097", False),
        ("0000-0002-1694-233x", False),
    ],
)
def test_orcid(value, ok):
    assert orcid_valid(value) is ok


def test_language_tags_and_control_characters():
    assert language_tag_problem("zh-Hans") is None
    assert "not a known language tag" in language_tag_problem("xx-Zzzz")
    assert "not a BCP 47 language tag" in language_tag_problem("en_GB")
    assert control_character_problem("a\x1bb") == (
        "contains the control character U+001B, which no book can print: remove it"
    )
    assert control_character_problem("tab\tand\nnewline") is None


def test_every_kind_of_option_has_a_checker():
    validator = _Validator(Path(), Path(), Path("book.toml"), "")
    assert set(validator.checkers) == set(get_args(Kind))


TOML = '''[book]
title = "T"
  [ contents ] # the parts
front = ["a.md", 'b.md', # "not an entry"
  "c.md"]
chapters = [
    """one.md""", "two.md",
]
[[history]]
date = "2026"
[[history]]
description = "x"
'''


def test_places_of_tables_keys_and_entries():
    places = TomlPlaces(TOML, array_tables=("history",))
    assert places.place_of("contents") == (3, 3)
    assert places.place_of("book", "title") == (2, 1)
    assert places.place_of("history", "description", 1) == (12, 1)
    assert places.place_of("history", "description", 0) == (9, 1)  # not there: its entry
    assert [places.entry_place("contents", "front", i) for i in range(4)] == [
        (4, 10),
        (4, 18),
        (5, 3),
        (None, None),
    ]
    assert [places.entry_place("contents", "chapters", i) for i in range(2)] == [(7, 5), (7, 19)]


def test_too_deep_counts_brackets_outside_strings_and_comments():
    deep = "a = " + "[" * (MAX_TOML_NESTING + 1) + "]" * (MAX_TOML_NESTING + 1)
    assert too_deep(deep, MAX_TOML_NESTING) == (1, 5 + MAX_TOML_NESTING)
    hidden = 's = """' + "[" * 40 + '"""\n# ' + "{" * 40 + "\nb = [[1]]\n"
    assert too_deep(hidden, MAX_TOML_NESTING) is None
    assert too_deep("x = 1\n" + deep, MAX_TOML_NESTING) == (2, 5 + MAX_TOML_NESTING)


def test_ascii_slug_folds_drops_and_cuts_at_a_word():
    from allianceprint.slugs import ascii_slug

    assert ascii_slug("Ōtsuka's Łódź Notes") == "otsuka-s-odz-notes"
    assert ascii_slug("  同盟 ") == ""
    assert ascii_slug("alliance burden sharing", 14) == "alliance"
    assert ascii_slug("alliance burden sharing", 15) == "alliance-burden"
    assert ascii_slug("alliances", 5) == ""


def test_roman_numerals_below_forty_are_numbers_the_rest_words():
    from allianceprint.checks import _capitals

    assert _capitals(["World War II, chapters XIV to XXXIX, IIII, XL, DC and MCM"], set()) == [
        "IIII",
        "XL",
        "DC",
        "MCM",
    ]
