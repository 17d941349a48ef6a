"""How plain a demo course reads: sentence length in syllables, and glossary terms explained on
first use. The demo content tests (tests/demo/test_readability.py) hold every course to it.

A Vietnamese syllable is written as one space-separated word, so a sentence's syllables are its
words. English is counted the same way, by words: an English word carries about what a Vietnamese
syllable does, and the English courses follow the Vietnamese sentence by sentence.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

CONTENT = Path(__file__).resolve().parent / "content"
GLOSSARY = CONTENT / "glossary.yaml"

# Where a paragraph ends in the stored HTML: a sentence never runs across these.
_BLOCK_END = re.compile(r"</(?:p|li|h\d|ul|ol)>|<br\s*/?>|<(?:ul|ol)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
# A sentence ends at . ! ? … (perhaps inside a closing quotation mark) followed by a space. A
# semicolon ends one too: it parts clauses that each stand alone, and a reader pauses there.
_SENTENCE_END = re.compile(r"(?<=[.!?…;])[”\"’»)]?\s+")
_WORD = re.compile(r"\w", re.UNICODE)
# After a term, what makes its first use an explanation: "OTP (mã …)", "OTP: …", "OTP là …".
_EXPLAINED_AFTER = re.compile(
    r"^[”\"’»]?\s*(?:\(|:|–|—|là\b|nghĩa là\b|tức là\b|is\b|means\b)", re.IGNORECASE
)


@dataclass(frozen=True)
class Passage:
    """A piece of running text in reading order: ``where`` names it for a failure message."""

    where: str
    text: str  # plain text, one paragraph
    heading: bool = False  # a title or summary: read on its own, explains nothing


def load_course(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def course_paths() -> list[Path]:
    return sorted(CONTENT.glob("*.*.yaml"))


def load_glossary() -> dict[str, dict[str, str]]:
    """``{locale: {term: plain explanation}}``."""
    with GLOSSARY.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _paragraphs(markup: str) -> list[str]:
    parts = _BLOCK_END.split(markup)
    texts = [html.unescape(_TAG.sub("", part)) for part in parts]
    return [" ".join(text.split()) for text in texts if text.strip()]


def passages(course: dict) -> Iterator[Passage]:
    """Every piece of text a learner reads, in the order the course shows it."""
    yield Passage("title", course["title"], heading=True)
    yield Passage("summary", course["summary"], heading=True)
    for text in _paragraphs(course["intro"]):
        yield Passage("intro", text)
    for lesson in course["lessons"]:
        slug = lesson["slug"]
        yield Passage(f"{slug}: title", lesson["title"], heading=True)
        yield Passage(f"{slug}: summary", lesson["summary"], heading=True)
        for n, block in enumerate(lesson["body"], start=1):
            where = f"{slug}: block {n}"
            if block["type"] == "text":
                for text in _paragraphs(block["html"]):
                    yield Passage(where, text)
            elif block["type"] == "steps":
                for step in block["steps"]:
                    yield Passage(where, step["title"], heading=True)
                    yield from (Passage(where, text) for text in _paragraphs(step["text"]))
            elif block["type"] == "callout":
                if block.get("title"):
                    yield Passage(where, block["title"], heading=True)
                yield from (Passage(where, text) for text in _paragraphs(block["text"]))
        for n, question in enumerate(lesson.get("quiz", []), start=1):
            where = f"{slug}: question {n}"
            yield Passage(where, question["question"])
            for option in question["options"]:
                yield Passage(where, option["text"])
                if option.get("feedback"):
                    yield Passage(where, option["feedback"])
            yield from (Passage(where, text) for text in _paragraphs(question["explanation"]))


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if _WORD.search(s)]


def syllables(sentence: str) -> int:
    """Words with a letter or digit in them; quotations count like the rest of the sentence."""
    return sum(1 for token in sentence.split() if _WORD.search(token))


def _term_pattern(term: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)


def first_uses(course: dict, terms: list[str]) -> dict[str, tuple[Passage, bool]]:
    """For each glossary term the course uses: the paragraph it first appears in, and whether
    that paragraph explains it. A use explains the term where the term is followed by a
    parenthesis, a colon, a dash or "là" / "is" / "means" ("OTP (mã …)", "Ngoại tuyến là …"), or
    where it stands in parentheses after its explanation ("mã xác nhận dùng một lần (OTP)").
    Titles and summaries are skipped: they are read before the lesson, whose first paragraph with
    the term must explain it."""
    found: dict[str, tuple[Passage, bool]] = {}
    for passage in passages(course):
        if passage.heading:
            continue
        for term in terms:
            if term in found:
                continue
            matches = list(_term_pattern(term).finditer(passage.text))
            if matches:
                found[term] = (passage, any(_explains(passage.text, match) for match in matches))
    return found


def _explains(text: str, match: re.Match) -> bool:
    before, after = text[: match.start()], text[match.end() :]
    in_parentheses = before.rstrip().endswith("(") and len(before.strip()) > 1
    return bool(_EXPLAINED_AFTER.match(after)) or in_parentheses


@dataclass(frozen=True)
class Report:
    code: str
    locale: str
    longest: int
    longest_sentence: str
    median: float
    count: int
    explained: list[str]


def report(course: dict, glossary: dict[str, str]) -> Report:
    lengths = sorted(
        ((syllables(s), s) for passage in passages(course) for s in sentences(passage.text)),
        key=lambda pair: pair[0],
    )
    middle = len(lengths) // 2
    median = lengths[middle][0] if len(lengths) % 2 else (lengths[middle - 1][0] + lengths[middle][0]) / 2
    uses = first_uses(course, list(glossary))
    return Report(
        code=course["code"],
        locale=course["locale"],
        longest=lengths[-1][0],
        longest_sentence=lengths[-1][1],
        median=median,
        count=len(lengths),
        explained=sorted(term for term, (_, ok) in uses.items() if ok),
    )
