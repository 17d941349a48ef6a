"""The ten demo courses from demo/content/*.yaml, as published Wagtail pages.

Vietnamese first; the English files become translations of their Vietnamese pages and reuse the
Vietnamese block ids, so a quiz answered in English is scored against the same question ids.
Idempotent: a course whose code already exists in a locale is left alone.
"""

from pathlib import Path

import yaml
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Locale, Page

from courses.models import Competency, CourseCompetency, CourseIndexPage, CoursePage, HomePage, LessonPage
from demo.seed.covers import cover_png

CONTENT = Path(__file__).resolve().parent.parent / "content"
CATALOGUE_TITLE = {"vi": "Khóa học", "en": "Courses"}
CATALOGUE_SLUG = {"vi": "khoa-hoc", "en": "courses"}
CATALOGUE_INTRO = {
    "vi": "<p>Chọn một khóa học. Mỗi bài chỉ vài phút, đọc trên điện thoại, có câu hỏi ôn ở cuối bài.</p>",
    "en": "<p>Choose a course. Each lesson takes a few minutes on a phone and ends with a few questions.</p>",
}


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _body(lesson: dict, ids: list[str] | None = None) -> list[dict]:
    """StreamField data from a YAML lesson; ``ids`` reuses block ids (for a translation)."""
    blocks = []
    for block in lesson["body"]:
        kind = block["type"]
        if kind == "text":
            blocks.append({"type": "text", "value": block["html"].strip()})
        elif kind == "steps":
            blocks.append(
                {
                    "type": "steps",
                    "value": [
                        {"title": s["title"], "text": f"<p>{s['text']}</p>", "screenshot": None}
                        for s in block["steps"]
                    ],
                }
            )
        elif kind == "callout":
            blocks.append(
                {
                    "type": "callout",
                    "value": {
                        "kind": block["kind"],
                        "title": block.get("title", ""),
                        "text": f"<p>{block['text']}</p>",
                    },
                }
            )
        else:
            raise ValueError(f"Unknown block type {kind!r} in {lesson['slug']}")
    for question in lesson.get("quiz", []):
        blocks.append(
            {
                "type": "question",
                "value": {
                    "kind": question["kind"],
                    "question": question["question"],
                    "options": [
                        {
                            "text": o["text"],
                            "correct": bool(o.get("correct")),
                            "feedback": o.get("feedback", ""),
                        }
                        for o in question["options"]
                    ],
                    "explanation": f"<p>{question['explanation']}</p>",
                },
            }
        )
    if ids is not None:
        if len(ids) != len(blocks):
            raise ValueError(
                f"{lesson['slug']}: the translation has {len(blocks)} blocks, the original {len(ids)}"
            )
        for block, block_id in zip(blocks, ids, strict=True):
            block["id"] = block_id
    return blocks


def _sources(data: dict) -> list[dict]:
    """The course's ``sources:`` list as StreamField data (see CourseSourcesBlock)."""
    return [
        {
            "type": "source",
            "value": {
                "title": source["title"],
                "issuer": source["issuer"],
                "date": str(source["date"]) if source.get("date") else None,
                "supports": source["supports"],
                "url": source["url"],
            },
        }
        for source in data.get("sources", [])
    ]


def _cover(code: str):
    Image = get_image_model()
    title = f"Ảnh bìa {code}"
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    png = cover_png(code)
    from django.core.files.base import ContentFile

    image = Image(title=title)
    image.file = ImageFile(
        ContentFile(png, name=f"cover-{code.lower()}.png"), name=f"cover-{code.lower()}.png"
    )
    image.save()
    return image


def _catalogue(locale: Locale) -> CourseIndexPage:
    existing = CourseIndexPage.objects.filter(locale=locale).first()
    if existing:
        return existing
    vi = Locale.objects.get(language_code="vi")
    home_vi = HomePage.objects.get(locale=vi)
    if locale == vi:
        catalogue = CourseIndexPage(
            title=CATALOGUE_TITLE["vi"], slug=CATALOGUE_SLUG["vi"], intro=CATALOGUE_INTRO["vi"]
        )
        home_vi.add_child(instance=catalogue)
        _publish(catalogue)
        return catalogue
    home = HomePage.objects.filter(locale=locale).first()
    if home is None:
        home = home_vi.copy_for_translation(locale)
        home.title = "Digital skills for everyone"
        home.intro = (
            "<p>Short lessons, a few minutes each, for your phone: VNeID, online public services, "
            "paying safely with QR codes, spotting scams, selling local products online.</p>"
        )
        home.save()
        _publish(home)
    catalogue = _catalogue(vi).copy_for_translation(locale)
    catalogue.title, catalogue.slug, catalogue.intro = (
        CATALOGUE_TITLE[locale.language_code],
        CATALOGUE_SLUG[locale.language_code],
        CATALOGUE_INTRO[locale.language_code],
    )
    catalogue.save()
    # Renaming a copy that was never published needs no redirect from its old address.
    Redirect.objects.filter(redirect_page=catalogue).delete()
    _publish(catalogue)
    return catalogue


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@transaction.atomic
def seed_courses() -> int:
    """Create the demo courses that are missing; return how many courses were created."""
    vi = Locale.objects.get(language_code="vi")
    competencies = {c.code: c for c in Competency.objects.filter(area__framework__code="TT02-2025")}
    created = 0
    catalogue = _catalogue(vi)
    for path in sorted(CONTENT.glob("*.vi.yaml")):
        data = _load(path)
        if CoursePage.objects.filter(code=data["code"], locale=vi).exists():
            continue
        course = CoursePage(
            title=data["title"],
            slug=data["code"].lower(),
            code=data["code"],
            summary=data["summary"],
            intro=data["intro"].strip(),
            audience=data["audience"],
            estimated_minutes=data["estimated_minutes"],
            pass_mark=data["pass_mark"],
            cover=_cover(data["code"]),
            sources=_sources(data),
        )
        course.target_competencies = [
            CourseCompetency(competency=competencies[c["code"]], level=c["level"], sort_order=i)
            for i, c in enumerate(data["competencies"])
        ]
        catalogue.add_child(instance=course)
        _publish(course)
        for lesson_data in data["lessons"]:
            lesson = LessonPage(
                title=lesson_data["title"],
                slug=lesson_data["slug"],
                minutes=lesson_data["minutes"],
                summary=lesson_data["summary"],
                body=_body(lesson_data),
            )
            course.add_child(instance=lesson)
            _publish(lesson)
        created += 1
    # Courses are <CODE>.<locale>.yaml; other files there (glossary.yaml) are not courses.
    for path in sorted(CONTENT.glob("*.*.yaml")):
        if path.name.endswith(".vi.yaml"):
            continue
        created += _translate(_load(path))
    return created


def _translate(data: dict) -> int:
    locale = Locale.objects.get(language_code=data["locale"])
    if CoursePage.objects.filter(code=data["code"], locale=locale).exists():
        return 0
    _catalogue(locale)
    original = CoursePage.objects.get(code=data["code"], locale=Locale.objects.get(language_code="vi"))
    course = original.copy_for_translation(locale)
    course.title, course.summary, course.intro = data["title"], data["summary"], data["intro"].strip()
    if "sources" in data:
        course.sources = _sources(data)
    course.save()
    _publish(course)
    originals = list(original.lessons())
    if len(originals) != len(data["lessons"]):
        raise ValueError(f"{data['code']}.{data['locale']}: lesson count differs from the Vietnamese course")
    for source, lesson_data in zip(originals, data["lessons"], strict=True):
        lesson = source.copy_for_translation(locale)
        lesson.title, lesson.summary = lesson_data["title"], lesson_data["summary"]
        lesson.body = _body(lesson_data, ids=[block.id for block in source.body])
        lesson.save()
        _publish(lesson)
    return 1
