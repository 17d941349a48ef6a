"""Every demo course, Vietnamese and English, reads plainly enough for an older learner alone with
a phone: no sentence over MAX_SYLLABLES, and every glossary word explained where it first appears.

MAX_SYLLABLES is 30. Read aloud at a slow pace a Vietnamese sentence of 30 syllables takes about
ten seconds, about as much as a listener holds before losing the start of it, and it is three times
the median sentence of these courses (10–11 syllables): the check catches the sentences that run
on (the 45-syllable one with four quotations that issue 17 found), not ordinary ones. Quotations
count like the rest of the sentence; a semicolon ends a sentence, as a reader pauses there.
``pytest -s`` prints each course's figures.
"""

import statistics

import pytest

from demo.readability import (
    Passage,
    course_paths,
    first_uses,
    load_course,
    load_glossary,
    passages,
    report,
    sentences,
    syllables,
)

MAX_SYLLABLES = 30
PATHS = course_paths()
GLOSSARY = load_glossary()


def _course(name: str, lessons: list[dict], intro: str = "<p>Mở đầu.</p>") -> dict:
    return {
        "code": "T",
        "locale": "vi",
        "title": name,
        "summary": "Tóm tắt.",
        "intro": intro,
        "lessons": lessons,
    }


def _lesson(html: str, **extra) -> dict:
    return {
        "slug": "bai",
        "title": "Bài",
        "summary": "Tóm tắt.",
        "body": [{"type": "text", "html": html}],
        **extra,
    }


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_no_sentence_runs_over_30_syllables(path):
    course = load_course(path)
    long = [
        f"{syllables(s)} syllables in {passage.where}: {s}"
        for passage in passages(course)
        for s in sentences(passage.text)
        if syllables(s) > MAX_SYLLABLES
    ]
    assert not long, "\n".join(long)


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_glossary_words_are_explained_where_the_course_first_uses_them(path):
    course = load_course(path)
    glossary = GLOSSARY[course["locale"]]
    uses = first_uses(course, list(glossary))
    unexplained = [
        f"{term!r} first used unexplained in {passage.where}: {passage.text}"
        for term, (passage, explained) in uses.items()
        if not explained
    ]
    in_headings_only = [
        f"{term!r} is in a title or summary but never explained in the lessons"
        for term in glossary
        if term not in uses and any(term.lower() in p.text.lower() for p in passages(course) if p.heading)
    ]
    assert not unexplained + in_headings_only, "\n".join(unexplained + in_headings_only)


def test_the_figures_per_course(capsys):
    reports = [report(load_course(path), GLOSSARY[load_course(path)["locale"]]) for path in PATHS]
    with capsys.disabled():
        print(f"\n{'course':<14}{'sentences':>10}{'median':>8}{'longest':>9}  terms explained")
        for r in reports:
            terms = ", ".join(r.explained) or "-"
            print(f"{r.code + '.' + r.locale:<14}{r.count:>10}{r.median:>8g}{r.longest:>9}  {terms}")
        for r in reports:
            print(f"longest in {r.code}.{r.locale} ({r.longest}): {r.longest_sentence}")
    assert all(r.median <= 12 for r in reports), "the typical sentence has grown long"
    assert statistics.median(r.longest for r in reports) <= MAX_SYLLABLES


def test_the_glossary_has_the_words_issue_17_names_in_both_languages():
    named = {"OTP", "passcode", "Play Protect", "taluy", "ngoại tuyến", "chốt đơn", "phí sàn"}
    assert named <= set(GLOSSARY["vi"])
    assert {"OTP", "passcode", "Play Protect"} <= set(GLOSSARY["en"])
    assert all(explanation.strip() for words in GLOSSARY.values() for explanation in words.values())


def test_a_sentence_counts_its_quotations_and_ends_at_a_semicolon():
    text = "Chúng báo “tài khoản sắp bị khóa”, “SIM sắp bị khóa”; kèm theo là đường link. Gác máy!"
    assert [syllables(s) for s in sentences(text)] == [11, 5, 2]
    assert syllables("Mã OTP (mã số dùng một lần) – 6 chữ số.") == 10


def test_a_term_is_explained_by_a_parenthesis_a_colon_or_la_in_its_paragraph():
    terms = ["OTP", "taluy", "ngoại tuyến"]
    course = _course(
        "Khóa",
        [
            _lesson(
                "<p>Nhập mã OTP (mã số dùng một lần).</p><p>Tránh ở sát taluy, ven suối.</p>"
                "<p>Điểm danh ngoại tuyến. Ngoại tuyến là khi không có mạng.</p>"
            )
        ],
    )
    uses = first_uses(course, terms)
    assert {term: explained for term, (_, explained) in uses.items()} == {
        "OTP": True,
        "taluy": False,
        "ngoại tuyến": True,
    }


def test_a_term_used_before_the_lesson_that_explains_it_fails_and_headings_do_not_count():
    first = _lesson("<p>Không đưa mật khẩu, mã OTP cho ai.</p>")
    second = {**_lesson("<p><strong>Mã OTP</strong>: mã số gửi qua tin nhắn.</p>"), "slug": "bai-2"}
    uses = first_uses(_course("Khóa", [first, second]), ["OTP"])
    assert uses["OTP"][1] is False and uses["OTP"][0].where == "bai: block 1"
    titled = _course("Mã OTP là gì", [second])
    passage, explained = first_uses(titled, ["OTP"])["OTP"]
    assert explained and passage == Passage("bai-2: block 1", "Mã OTP: mã số gửi qua tin nhắn.")
