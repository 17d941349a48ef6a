"""Factories for the tests. Communes come from the data migration (the real 56)."""

import itertools
from dataclasses import dataclass

import factory
from django.utils import timezone

from members import services
from members.models import Commune, CommunityGroup, Membership, StaffScope, User, Village

_phone_numbers = itertools.count(1)
PASSWORD = "mat-khau-thu-nghiem"


def next_phone() -> str:
    """A fresh valid Viettel-style number: +8498xxxxxxx."""
    return f"+8498{next(_phone_numbers):07d}"


def commune(code: str = "01477") -> Commune:
    return Commune.objects.get(code=code)


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    commune = factory.LazyFunction(commune)
    name = factory.Sequence(lambda n: f"Nà Thử {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.LazyFunction(next_phone)
    full_name = factory.Sequence(lambda n: f"Nông Thị Thử {n}")
    village = factory.SubFactory(VillageFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    consent_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CommunityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityGroup

    code = factory.Sequence(lambda n: f"T-{n:04d}")
    name = factory.Sequence(lambda n: f"Tổ công nghệ số thử {n}")
    village = factory.SubFactory(VillageFactory)
    commune = factory.LazyAttribute(lambda group: group.village.commune)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(CommunityGroupFactory)
    role = Membership.Role.MEMBER


def officer_of(commune_obj: Commune, **kwargs) -> User:
    user = UserFactory(village=VillageFactory(commune=commune_obj), **kwargs)
    services.staff_scope_grant(user=user, role=StaffScope.Role.COMMUNE_OFFICER, commune=commune_obj)
    return user


def trainer(**kwargs) -> User:
    user = UserFactory(**kwargs)
    services.staff_scope_grant(user=user, role=StaffScope.Role.PROVINCIAL_TRAINER)
    return user


def admin(**kwargs) -> User:
    return UserFactory(is_staff=True, is_superuser=True, **kwargs)


@dataclass
class World:
    commune_x: Commune
    commune_y: Commune
    group_a: CommunityGroup  # in commune X
    group_b: CommunityGroup  # in commune X
    group_c: CommunityGroup  # in commune Y
    leader_a: User
    deputy_a: User
    leader_b: User
    leader_c: User
    resident_a: User  # plain member of group A
    resident_a2: User
    resident_b: User
    resident_c: User
    loner: User  # lives in commune X, no group
    officer_x: User
    officer_y: User
    trainer: User
    admin: User

    def personas(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "resident": self.resident_a,
            "leader_a": self.leader_a,
            "leader_b": self.leader_b,
            "officer_x": self.officer_x,
            "officer_y": self.officer_y,
            "trainer": self.trainer,
            "admin": self.admin,
        }


def build_world() -> World:
    x, y = commune("01477"), commune("01273")  # Trùng Khánh (commune), Thục Phán (ward)
    group_a = CommunityGroupFactory(village=VillageFactory(commune=x, name="Đàm Thủy Thượng"))
    group_b = CommunityGroupFactory(village=VillageFactory(commune=x, name="Bản Giốc"))
    group_c = CommunityGroupFactory(village=VillageFactory(commune=y, name="Tổ dân phố 1"))

    def member(group, role=Membership.Role.MEMBER):
        person = UserFactory(village=group.village)
        MembershipFactory(user=person, group=group, role=role)
        return person

    world = World(
        commune_x=x,
        commune_y=y,
        group_a=group_a,
        group_b=group_b,
        group_c=group_c,
        leader_a=member(group_a, Membership.Role.LEADER),
        deputy_a=member(group_a, Membership.Role.DEPUTY),
        leader_b=member(group_b, Membership.Role.LEADER),
        leader_c=member(group_c, Membership.Role.LEADER),
        resident_a=member(group_a),
        resident_a2=member(group_a),
        resident_b=member(group_b),
        resident_c=member(group_c),
        loner=UserFactory(village=VillageFactory(commune=x)),
        officer_x=officer_of(x),
        officer_y=officer_of(y),
        # Staff live somewhere too: in a third commune, so that they do not blur X's and Y's lists.
        trainer=trainer(village=VillageFactory(commune=commune("01654"))),
        admin=admin(village=VillageFactory(commune=commune("01654"))),
    )
    return world


# Content ----------------------------------------------------------------------------------------


def question_block(kind="single", correct=(0,), options=3, text="Câu hỏi?"):
    return {
        "type": "question",
        "value": {
            "kind": kind,
            "question": text,
            "options": [
                {"text": f"Đáp án {i}", "correct": i in correct, "feedback": f"Vì sao {i}"}
                for i in range(options)
            ],
            "explanation": "<p>Giải thích.</p>",
        },
    }


def lesson_body(paragraphs=2, questions=2):
    body = [{"type": "text", "value": f"<p>Đoạn văn {i} về VNeID.</p>"} for i in range(paragraphs)]
    body.append({"type": "callout", "value": {"kind": "tip", "title": "Mẹo", "text": "<p>Giữ mật khẩu.</p>"}})
    body += [question_block(text=f"Câu hỏi {i}?") for i in range(questions)]
    return body


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def catalogue():
    from courses.models import CourseIndexPage, HomePage

    existing = CourseIndexPage.objects.filter(locale__language_code="vi").first()
    if existing:
        return existing
    home = HomePage.objects.get(locale__language_code="vi")
    page = CourseIndexPage(title="Khóa học", slug="khoa-hoc")
    home.add_child(instance=page)
    return publish(page)


_course_numbers = itertools.count(1)


def course(lessons=3, questions=2, paragraphs=2, competencies=(("2.6", 2), ("4.2", 1)), **fields):
    """A published course with ``lessons`` published lessons, under the catalogue."""
    from courses.models import Competency, CourseCompetency, CoursePage, LessonPage

    number = next(_course_numbers)
    page = CoursePage(
        title=fields.pop("title", f"Khóa học thử {number}"),
        slug=f"khoa-{number}",
        code=fields.pop("code", f"TEST-{number:02d}"),
        summary="Tóm tắt ngắn.",
        **fields,
    )
    page.target_competencies = [
        CourseCompetency(competency=Competency.objects.get(code=code), level=level, sort_order=i)
        for i, (code, level) in enumerate(competencies)
    ]
    catalogue().add_child(instance=page)
    publish(page)
    for index in range(lessons):
        lesson = LessonPage(
            title=f"Bài {index + 1}",
            slug=f"bai-{index + 1}",
            minutes=5,
            body=lesson_body(paragraphs=paragraphs, questions=questions),
        )
        page.add_child(instance=lesson)
        publish(lesson)
    return page


def correct_answers(lesson):
    return {q.id: sorted(q.correct) for q in lesson.questions}


def wrong_answers(lesson):
    return {q.id: [max(set(range(len(q.options))) - q.correct)] for q in lesson.questions}


def uuid4():
    import uuid

    return uuid.uuid4()
