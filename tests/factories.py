"""Factories for the tests. Communes come from the data migration (the real 56)."""

import datetime
import itertools
from dataclasses import dataclass

import factory
from django.utils import timezone

from learning import services as learning_services
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

    # Members since a season ago: a session held "an hour ago" falls in their membership whatever the
    # hour (just after midnight, local time, an hour ago is yesterday: CI once ran then).
    since = timezone.localdate() - datetime.timedelta(days=90)

    def member(group, role=Membership.Role.MEMBER):
        person = UserFactory(village=group.village)
        MembershipFactory(user=person, group=group, role=role, joined_on=since)
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


# A person with a row in every part of the personal-data registry ----------------------------------


@dataclass
class Unique:
    """Values that appear nowhere else in a test database, to look for after an erasure."""

    full_name: str = "Hà Thị Mỹ Duyên Riêngbiệt"
    phone: str = "+84355112233"
    email: str = "duyen.riengbiet.1907@example.vn"
    birth_year: int = 1907


def person_with_everything(world: World, unique: Unique | None = None) -> User:
    """A resident signed up by a leader, who leads a group of commune X, is a member of group A,
    an officer of commune Y, and left a row in every part of ``members.personal_data``: attendance
    both ways, learning with quiz answers, awards, a certificate, imports, tokens, admin history,
    pages, comments, uploads… Their name, number, e-mail and year of birth are ``unique``'s. Run
    inside ``django_capture_on_commit_callbacks(execute=True)`` to render the certificate's PDF."""
    import csv
    import io

    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from knox.models import AuthToken
    from wagtail.admin.models import EditingSession, FormState
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.log_actions import log
    from wagtail.models import (
        APIToken,
        Comment,
        CommentReply,
        PageSubscription,
        TaskState,
        UploadedFile,
        Workflow,
    )
    from wagtail.users.models import UserProfile

    from api.models import IdempotencyRecord
    from attendance.services import MarkInput, SessionInput, attendance_sync
    from certificates.models import Certificate
    from courses.models import Competency
    from members.imports import columns as C
    from members.services.imports import import_batch_create

    unique = unique or Unique()
    person = services.user_create(
        phone=unique.phone,
        full_name=unique.full_name,
        password=PASSWORD,
        consent=True,
        village=world.resident_a.village,
        birth_year=unique.birth_year,
        preferred_language="hmn",
        acting_user=world.leader_a,
    )
    person.email = unique.email
    person.save(update_fields=["email"])
    person.user_permissions.add(Permission.objects.get(codename="view_user"))
    services.membership_add(group=world.group_a, user=person, acting_user=world.leader_a)
    led = CommunityGroupFactory(village=VillageFactory(commune=world.commune_x, name="Pác Bó Riêng"))
    services.membership_add(group=led, user=person, role=Membership.Role.LEADER, acting_user=world.officer_x)
    neighbour = UserFactory(village=led.village)
    services.membership_add(group=led, user=neighbour, acting_user=person)
    services.staff_scope_grant(
        user=person, role=StaffScope.Role.COMMUNE_OFFICER, commune=world.commune_y, acting_user=world.trainer
    )

    # Attendance: marked at group A by its leader; recording for their own group.
    now = timezone.now()
    for recorder, group, member in ((world.leader_a, world.group_a, person), (person, led, neighbour)):
        session = uuid4()
        attendance_sync(
            user=recorder,
            sessions=[SessionInput(session, group.code, now, "Thanh toán bằng mã QR", "Nhà văn hóa")],
            marks=[MarkInput(uuid4(), session, member.pk, "present", now, "may-1")],
        )
    IdempotencyRecord.objects.create(
        user=person,
        key="k-1",
        scope="attendance.sync",
        request_hash="0" * 64,
        state="done",
        response_status=200,
        response_body={"counts": {"accepted": 1, "duplicate": 0, "rejected": 0}},
    )

    # Learning: a course completed (awards and a certificate), a quiz failed once, an attestation.
    certified = course(lessons=2, title="Nhận diện lừa đảo trực tuyến")
    first = certified.lessons().first()
    learning_services.quiz_submit(
        user=person, lesson=first, answers=wrong_answers(first), submission_id=uuid4()
    )
    for lesson in certified.lessons():
        learning_services.quiz_submit(
            user=person, lesson=lesson, answers=correct_answers(lesson), submission_id=uuid4()
        )
    learning_services.competency_attest(
        user=person, competency=Competency.objects.get(code="1.1"), level=3, acting_user=world.trainer
    )
    assert Certificate.objects.filter(holder=person).exists()

    # Imports: one they uploaded as an officer; one another officer uploaded, listing them.
    def members_file(phone_text, name) -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow([column.header for column in C.COLUMNS["members"]])
        group = world.group_c
        place = [group.commune.code, group.village.name, group.code]
        writer.writerow([phone_text, name, "1960", *place, "Thành viên", "15/03/2026", "Có"])
        return buffer.getvalue().encode()

    import_batch_create(
        content=members_file("0912 777 001", "Nông Văn Khác"),
        file_name="to-c.csv",
        kind="members",
        acting_user=person,
    )
    spaced = f"0{unique.phone[3:6]} {unique.phone[6:9]} {unique.phone[9:]}"
    import_batch_create(
        content=members_file(spaced, unique.full_name),
        file_name="ds.csv",
        kind="members",
        acting_user=world.officer_y,
    )

    # Signed in: a phone app, the admin's API, the admin's settings.
    AuthToken.objects.create(user=person)
    APIToken.create_token(user=person, name="Máy tính xã")
    profile = UserProfile.get_for_user(person)
    profile.avatar = ContentFile(get_test_image_file().file.getvalue(), name="anh-dai-dien.png")
    profile.save()

    # The admin: a page they own and locked, a version, history, comments, a review, uploads.
    page = certified.specific
    page.owner, page.locked, page.locked_by, page.locked_at = person, True, person, now
    page.save(update_fields=["owner", "locked", "locked_by", "locked_at"])
    revision = page.save_revision(user=person)
    log(instance=page, action="wagtail.edit", user=person)
    log(instance=person, action="wagtail.edit", user=world.admin)  # labelled with their name
    log(instance=world.group_a, action="wagtail.edit", user=person)
    comment = Comment.objects.create(
        page=page, user=person, text="Sửa câu hỏi 2", contentpath="title", revision_created=revision
    )
    Comment.objects.filter(pk=comment.pk).update(resolved_by=person, resolved_at=now)
    CommentReply.objects.create(comment=comment, user=person, text="Đã sửa")
    PageSubscription.objects.create(page=page, user=person, comment_notifications=True)
    workflow = Workflow.objects.filter(active=True).first()
    state = workflow.start(page, person)
    TaskState.objects.filter(workflow_state=state).update(finished_by=person, finished_at=now)
    from wagtail.documents.models import Document
    from wagtail.images.models import Image

    Document.objects.create(
        title="Tài liệu", file=ContentFile(b"tai lieu", name="tai-lieu.txt"), uploaded_by_user=person
    )
    Image.objects.create(title="Ảnh", file=get_test_image_file(), uploaded_by_user=person)
    UploadedFile.objects.create(
        file=ContentFile(b"tam", name="tam.txt"),
        for_content_type=ContentType.objects.get_for_model(Image),
        uploaded_by_user=person,
    )
    page_type = ContentType.objects.get_for_model(page)
    EditingSession.objects.create(
        user=person, content_type=page_type, object_id=str(page.pk), last_seen_at=now, is_editing=True
    )
    FormState.objects.create(
        user=world.admin,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(person.pk),
        parent_object_id="",
        data=f'{{"full_name": "{unique.full_name}", "phone": "{unique.phone}"}}',
        last_updated_at=now,
    )
    FormState.objects.create(
        user=person,
        content_type=page_type,
        object_id=str(page.pk),
        parent_object_id="",
        data='{"title": "Nhận diện lừa đảo"}',
        last_updated_at=now,
    )
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.create(
        user=world.admin,
        content_type=user_type,
        object_id=str(person.pk),
        object_repr=unique.full_name,
        action_flag=CHANGE,
        change_message='[{"changed": {"fields": ["email"]}}]',
    )
    LogEntry.objects.create(
        user=person,
        content_type=user_type,
        object_id=str(neighbour.pk),
        object_repr=str(neighbour),
        action_flag=CHANGE,
        change_message="[]",
    )
    # Invitations: group C's leader looked their number up and invited them; they invited a neighbour.
    from members.services.invitations import number_lookup

    number_lookup(group=world.group_c, phone=spaced, acting_user=world.leader_c, invite=True)
    number_lookup(group=led, phone=world.resident_a.phone, acting_user=person, invite=True)

    # Reset codes: one an administrator gave them; one they gave a member of the group they lead.
    from members.services.passwords import reset_code_issue

    reset_code_issue(person=person, acting_user=world.admin)
    reset_code_issue(person=neighbour, acting_user=person)

    from django.apps import apps

    if apps.is_installed("axes"):  # sign-in records keep the number as it was typed
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        seen = {"ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0 (Android)", "http_accept": "*/*"}
        AccessAttempt.objects.create(
            username=spaced,
            path_info="/dang-nhap/",
            get_data="",
            post_data="",
            failures_since_start=2,
            **seen,
        )
        AccessFailureLog.objects.create(username=unique.phone, path_info="/dang-nhap/", **seen)
        AccessLog.objects.create(username=unique.phone, path_info="/dang-nhap/", **seen)
    person.refresh_from_db()
    return person
