"""About a year of learning in the demo province: enrolments, lessons done, quiz attempts, course
completions, competency awards and certificates, with believable differences between communes.

Rows are written in bulk from a seeded random stream, the way the province's history would have
accumulated through the services; the demo resident's story is told explicitly (two courses done
with their certificates, a third under way) and one certificate is revoked, so that a new user
finds certificates, a revoked one among them, at once. Runs once: if any enrolment exists it
changes nothing.

Some people set out to reach a profile and work through its path (``PATHS``): members the
resident's, half the group leaders the group member's (a few also the cadre course), and the
commune officers the cadre course; so each profile has holders.

Residents outside any group (``seed_demo --residents 400000``) learn on their own: fewer of them
start a course and fewer finish. They are planned from a random stream of their own, after the
group members, so that growing the residents never changes what the members did.
"""

import datetime
import itertools
import random
import uuid
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import transaction

from certificates import keys
from certificates import payload as payloads
from certificates.models import Certificate, SerialCounter, StatusListCounter
from certificates.services import course_snapshot, issuer_settings, profile_snapshot
from courses.models import CompetencyProfile, CoursePage
from demo.seed.bulk import insert_rows
from demo.seed.community import DEMO_COMMUNE_CODE, LEADER, RESIDENT, TRAINER
from learning.competencies import requirements_of
from learning.models import CompetencyAward, Enrolment, LessonProgress, QuizAttempt
from members.models import Membership, StaffScope, User
from stats.levels import first_reached, levels_as_of, profile_met_at

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = datetime.datetime(2025, 12, 1, 8, 0, tzinfo=TZ)
DAYS = 355
# The demo's "today": nothing is dated after it, whatever day the seed runs (it is deterministic).
END = datetime.datetime(2026, 11, 27, 21, 0, tzinfo=TZ)
BATCH = 5000
RESIDENT_COURSES = [
    "BDHVS-01",
    "BDHVS-02",
    "BDHVS-03",
    "BDHVS-04",
    "BDHVS-05",
    "BDHVS-06",
    "BDHVS-07",
    "BDHVS-08",
]
# The courses that together award each profile (a test keeps them so). Some people set out to reach
# one: they take its courses in this order and, meaning to finish, mostly do.
PATHS = {
    "pho-cap-co-ban": ["BDHVS-01", "BDHVS-02", "BDHVS-03", "BDHVS-05", "BDHVS-08"],
    "to-cong-nghe-so": ["TCNS-01", "BDHVS-01", "BDHVS-02", "BDHVS-03", "BDHVS-05", "BDHVS-06", "BDHVS-08"],
    "can-bo-so": ["CBS-01"],
}
# Certificates were issued automatically from this day; earlier completions got one only sometimes
# (issued later by trainers in bulk), which the statistics show as a gap between completed and certified.
AUTOMATIC_FROM = datetime.datetime(2026, 3, 1, tzinfo=TZ)
ATTEMPT_FIELDS = [
    "user",
    "lesson",
    "submission_id",
    "answers",
    "correct_count",
    "question_count",
    "score",
    "passed",
    "submitted_at",
]


class _Plan:
    def __init__(self):
        self.enrolments: list[Enrolment] = []
        self.done: dict[tuple[int, int], list[tuple[int, datetime.datetime]]] = defaultdict(list)
        self.failed: list[tuple[int, int, datetime.datetime]] = []
        self.completed: list[tuple[int, int, datetime.datetime]] = []


def _course_table():
    courses = {}
    for course in CoursePage.objects.live().filter(locale__language_code="vi"):
        courses[course.code] = (
            course,
            list(course.lessons().values_list("pk", flat=True)),
            list(course.target_competencies.values_list("competency_id", "level")),
        )
    return courses


def _plan_person(rng, plan, person_id, engagement, courses, codes):
    """Decide one person's year: which courses, how far in each."""
    weights = [1 - engagement, engagement, engagement * 0.6, engagement * 0.3, 0.05]
    count = rng.choices([0, 1, 2, 3, 4], weights=weights)[0]
    for code in rng.sample(codes, min(count, len(codes))):
        course, lessons, _targets = courses[code]
        enrolled = START + datetime.timedelta(days=rng.randrange(DAYS), minutes=rng.randrange(600))
        # Many who start finish; others stop after a lesson or two.
        finished = rng.random() < 0.25 + 0.5 * engagement
        done_count = len(lessons) if finished else rng.randrange(len(lessons))
        _follow(rng, plan, person_id, course, lessons, enrolled, done_count)


def _plan_path(rng, plan, person_id, engagement, courses, codes, start) -> None:
    """One person working through a path: each course begun a few days after the last was finished,
    until one is left unfinished or the year ends."""
    enrolled = start
    for code in codes:
        course, lessons, _targets = courses[code]
        finished = rng.random() < 0.6 + 0.35 * engagement
        done_count = len(lessons) if finished else rng.randrange(len(lessons))
        _follow(rng, plan, person_id, course, lessons, enrolled, done_count)
        completed_at = plan.enrolments[-1].completed_at
        if completed_at is None:
            return
        enrolled = completed_at + datetime.timedelta(days=rng.randrange(1, 15), minutes=rng.randrange(600))


def _path_start(rng) -> datetime.datetime:
    return START + datetime.timedelta(days=rng.randrange(DAYS * 2 // 3), minutes=rng.randrange(600))


def _plan_self_learners(rng, plan, engagement_by_commune, courses) -> None:
    """Residents in no group who found the courses on their own: about three in ten start one, and
    they finish less often than members whose group works through the lessons together."""
    people = (
        User.objects.filter(memberships__isnull=True, staff_scopes__isnull=True, is_staff=False)
        .values_list("pk", "village__commune_id", "date_joined")
        .order_by("pk")
    )
    for person_id, commune_id, joined in people.iterator(chunk_size=20000):
        if commune_id not in engagement_by_commune:
            engagement_by_commune[commune_id] = rng.uniform(0.15, 0.85)
        engagement = engagement_by_commune[commune_id]
        if rng.random() >= 0.2 + 0.25 * engagement:
            continue
        # Nobody enrols before signing up.
        first = max(START, joined or START)
        days = max(1, (END - first).days)
        count = rng.choices([1, 2, 3, 4], weights=[50, 28, 15, 7])[0]
        for code in rng.sample(RESIDENT_COURSES, count):
            course, lessons, _targets = courses[code]
            enrolled = first + datetime.timedelta(days=rng.randrange(days), minutes=rng.randrange(600))
            finished = rng.random() < 0.15 + 0.4 * engagement
            done_count = len(lessons) if finished else rng.randrange(len(lessons))
            _follow(rng, plan, person_id, course, lessons, enrolled, done_count)


def _follow(rng, plan, person_id, course, lessons, enrolled, done_count) -> None:
    """One enrolment and the lessons done after it, a few hours to four days apart."""
    enrolment = Enrolment(user_id=person_id, course_id=course.pk, enrolled_at=enrolled)
    plan.enrolments.append(enrolment)
    moment = enrolled
    for lesson_id in lessons[:done_count]:
        moment += datetime.timedelta(hours=rng.randrange(2, 96))
        if moment > END:
            return
        if rng.random() < 0.25:
            plan.failed.append((person_id, lesson_id, moment - datetime.timedelta(minutes=7)))
        plan.done[(person_id, course.pk)].append((lesson_id, moment))
    if done_count == len(lessons):
        enrolment.completed_at = moment
        plan.completed.append((person_id, course.pk, moment))


@transaction.atomic
def seed_learning(*, seed: int = 2026) -> int:
    """Write the year of learning; return the number of enrolments written (0 if already there)."""
    if Enrolment.objects.exists():
        return 0
    courses = _course_table()
    if not courses:
        return 0
    rng = random.Random(seed + 10)
    plan = _Plan()
    engagement_by_commune: dict[int, float] = {}
    people = (
        Membership.objects.active()
        .filter(role=Membership.Role.MEMBER)
        .values_list("user_id", "group__commune_id")
        .order_by("user_id")
    )
    leaders = set(Membership.objects.active().leading().values_list("user_id", flat=True))
    fixed = set(User.objects.filter(phone__in=[RESIDENT.phone]).values_list("pk", flat=True))
    for person_id, commune_id in people:
        if person_id in fixed:
            continue
        if commune_id not in engagement_by_commune:
            # Communes differ a lot: an active commune officer and mobile signal make the difference.
            engagement_by_commune[commune_id] = rng.uniform(0.15, 0.85)
        engagement = engagement_by_commune[commune_id]
        if rng.random() < 0.15 * engagement:
            _plan_path(rng, plan, person_id, engagement, courses, PATHS["pho-cap-co-ban"], _path_start(rng))
        else:
            _plan_person(rng, plan, person_id, engagement, courses, RESIDENT_COURSES)
    for person_id in sorted(leaders):
        # Half the leaders work through the group's path; some of them are also village or commune
        # cadres, who take the cadre course.
        if rng.random() < 0.5:
            path = PATHS["to-cong-nghe-so"] + (PATHS["can-bo-so"] if rng.random() < 0.2 else [])
            _plan_path(rng, plan, person_id, 0.8, courses, path, _path_start(rng))
        else:
            _plan_person(rng, plan, person_id, 0.8, courses, ["TCNS-01", *rng.sample(RESIDENT_COURSES, 2)])
    officers = StaffScope.objects.filter(role=StaffScope.Role.COMMUNE_OFFICER).values_list(
        "user_id", flat=True
    )
    for person_id in sorted(set(officers) - fixed):
        _plan_path(rng, plan, person_id, 0.7, courses, PATHS["can-bo-so"], _path_start(rng))
    _plan_demo_resident(rng, plan, courses)
    # The residents outside groups come after the members, from a stream of their own.
    others_rng = random.Random(seed + 12)
    others = _Plan()
    _plan_self_learners(others_rng, others, dict(engagement_by_commune), courses)

    _write(rng, plan)
    _write(others_rng, others)
    certified = _complete(rng, plan.completed, courses) + _complete(others_rng, others.completed, courses)
    _certify(certified)
    return len(plan.enrolments) + len(others.enrolments)


def _write(rng, plan: _Plan) -> None:
    """Enrolments, lessons done and quiz attempts (a failed try before some passes)."""
    insert_rows(
        Enrolment,
        ["user", "course", "enrolled_at", "completed_at"],
        ((e.user_id, e.course_id, e.enrolled_at, e.completed_at) for e in plan.enrolments),
    )
    enrolment_ids = {
        (user_id, course_id): pk
        for pk, user_id, course_id in Enrolment.objects.values_list("pk", "user_id", "course_id")
    }
    insert_rows(
        LessonProgress,
        ["user", "lesson", "enrolment", "completed_at"],
        (
            (user_id, lesson_id, enrolment_ids[(user_id, course_id)], moment)
            for (user_id, course_id), lessons in plan.done.items()
            for lesson_id, moment in lessons
        ),
    )
    passed = (
        (user, lesson, moment, True)
        for (user, _c), lessons in plan.done.items()
        for lesson, moment in lessons
    )
    failed = ((user, lesson, moment, False) for user, lesson, moment in plan.failed)
    insert_rows(QuizAttempt, ATTEMPT_FIELDS, (_attempt(rng, *row) for row in itertools.chain(passed, failed)))


def _plan_demo_resident(rng, plan, courses) -> None:
    resident = User.objects.filter(phone=RESIDENT.phone).first()
    if resident is None:
        return
    story = [
        ("BDHVS-01", None, datetime.datetime(2026, 9, 2, 19, 30, tzinfo=TZ)),
        ("BDHVS-02", None, datetime.datetime(2026, 9, 20, 20, 0, tzinfo=TZ)),
        ("BDHVS-05", 2, datetime.datetime(2026, 11, 10, 19, 0, tzinfo=TZ)),
    ]
    for code, done_count, enrolled in story:
        if code in courses:
            course, lessons, _targets = courses[code]
            count = len(lessons) if done_count is None else done_count
            _follow(rng, plan, resident.pk, course, lessons, enrolled, count)


def _attempt(rng, user_id, lesson_id, moment, passed) -> tuple:
    questions = 2 + (lesson_id % 2)
    correct = questions if passed else rng.randrange(0, questions - 1)
    score = round(100 * correct / questions)
    return (
        user_id,
        lesson_id,
        uuid.UUID(int=rng.getrandbits(128)),
        {},
        correct,
        questions,
        score,
        passed,
        moment,
    )


def _complete(rng, completed, courses) -> list:
    """Write the competency awards of these completions; return the certificates they earn."""
    by_pk = {course.pk: (course, targets) for course, _lessons, targets in courses.values()}
    awards, certified = [], []
    for user_id, course_id, moment in sorted(completed, key=lambda item: item[2]):
        for competency_id, level in by_pk[course_id][1]:
            awards.append((user_id, competency_id, level, CompetencyAward.Evidence.COURSE, course_id, moment))
        if moment >= AUTOMATIC_FROM or rng.random() < 0.6:
            certified.append((user_id, by_pk[course_id][0], None, moment))
    insert_rows(CompetencyAward, ["user", "competency", "level", "evidence", "course", "awarded_at"], awards)
    return certified + _profiles_reached(awards)


def _profiles_reached(awards) -> list:
    """(user, None, profile, moment) for each profile a person fully reached, dated when they did."""
    by_person = first_reached(
        (user, competency, level, at) for user, competency, level, _evidence, _course, at in awards
    )
    levels = {user_id: levels_as_of(reached) for user_id, reached in by_person.items()}
    found = []
    for profile in CompetencyProfile.objects.prefetch_related("requirements"):
        requirements = requirements_of(profile)
        for user_id, reached in by_person.items():
            moment = profile_met_at(reached, requirements, levels[user_id])
            if moment is not None:
                found.append((user_id, None, profile, moment))
    return found


def _certify(certified) -> None:
    ring = keys.keyring()
    issuer = issuer_settings().issuing_body
    holders = sorted({c[0] for c in certified})
    names: dict[int, str] = {}
    for start in range(0, len(holders), 20000):  # within SQLite's limit on query parameters
        names.update(
            User.objects.filter(pk__in=holders[start : start + 20000]).values_list("pk", "full_name")
        )
    counters: dict[int, int] = dict(SerialCounter.objects.values_list("year", "last"))
    # Each certificate's bit in the public revocation list, given out as certificate_issue does.
    status_index = (
        StatusListCounter.objects.filter(purpose="revocation").values_list("last", flat=True).first()
    )
    status_index = -1 if status_index is None else status_index
    rows = []
    for user_id, course, profile, moment in sorted(certified, key=lambda item: item[3]):
        year = moment.year
        counters[year] = counters.get(year, 0) + 1
        serial = f"CB-{year}-{counters[year]:06d}"
        name = payloads.normalise_name(names[user_id])
        code = course.code if course else profile.code
        kind = payloads.KIND_COURSE if course else payloads.KIND_PROFILE
        claims = payloads.Claims(ring.current_kid, serial, moment.date(), kind, code, name)
        status_index += 1
        rows.append(
            Certificate(
                serial=serial,
                holder_id=user_id,
                holder_name=name,
                course=course,
                profile=profile,
                achievement_code=code,
                achievement_title=course.title if course else profile.name,
                competencies=_snapshot(course) if course else profile_snapshot(profile),
                issued_at=moment,
                issuer_name=issuer,
                key_id=ring.current_kid,
                payload=payloads.sign(claims, ring),
                status_index=status_index,
            )
        )
    Certificate.objects.bulk_create(rows, batch_size=BATCH)
    for year, last in counters.items():
        SerialCounter.objects.update_or_create(year=year, defaults={"last": last})
    StatusListCounter.objects.update_or_create(purpose="revocation", defaults={"last": status_index})
    _revoke_one()


_snapshots: dict[int, list] = {}


def _snapshot(course) -> list:
    if course.pk not in _snapshots:
        _snapshots[course.pk] = course_snapshot(course)
    return _snapshots[course.pk]


def _revoke_one() -> None:
    """One certificate issued to the wrong person, then revoked: what a verifier sees then."""
    trainer = User.objects.filter(phone=TRAINER.phone).first()
    target = (
        Certificate.objects.filter(holder__village__commune__code=DEMO_COMMUNE_CODE)
        .exclude(holder__phone__in=[RESIDENT.phone, LEADER.phone])
        .order_by("serial")
        .first()
    )
    if target is None:
        return
    target.status = Certificate.Status.REVOKED
    target.revoked_at = target.issued_at + datetime.timedelta(days=3)
    target.revoked_reason = "Cấp nhầm: người học chưa tự làm bài kiểm tra, tổ trưởng đã làm thay."
    target.revoked_by = trainer
    target.save(update_fields=["status", "revoked_at", "revoked_reason", "revoked_by"])
