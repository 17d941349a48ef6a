"""About a year of community-group meetings and attendance, over the same window as the year of
learning (demo/seed/learning.py) and with the same "today".

The story the statistics should tell at a glance: the movement starts slowly in winter, stops for
Tết (17 February 2026), takes off in spring, thins out at the rice and chestnut harvest (September
and October) and comes back in November. Communes differ: in some, nine members in ten come; in
others, one in two; the communes that meet well are mostly those whose members learn well. About one
group in fifteen has stopped meeting for a month or more (the statistics flag those). Leaders in
villages without mobile signal send their marks days later, from the commune centre.

Every mark is kept as the phones sent it; a few were corrected by a later mark (absent, then late),
so the rule "the mark recorded last wins" has something to decide. The demo group meets almost
every week and the demo resident's marks match her learning story. Rows are written in bulk from a
seeded random stream. Runs once: if any session exists it changes nothing.
"""

import calendar
import datetime
import random
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from attendance.models import AttendanceMark, Session
from courses.models import CoursePage
from demo.seed.bulk import insert_rows
from demo.seed.community import DEMO_COMMUNE_CODE, RESIDENT
from demo.seed.learning import END, START, TZ
from learning.models import LessonProgress
from members.models import Commune, CommunityGroup, Membership, User

UTC = datetime.UTC
# The day before "today": every session has been held and its marks taken by then.
LAST_DAY = END.date() - datetime.timedelta(days=1)
# From 26 Tết to the 6th day of the new year nobody holds a meeting.
TET_HOLIDAY = (datetime.date(2026, 2, 13), datetime.date(2026, 2, 22))
# How often groups met, month by month, against an ordinary month.
MONTH_ACTIVITY = {
    (2025, 12): 0.8,
    (2026, 1): 0.85,
    (2026, 2): 0.5,
    (2026, 3): 1.15,
    (2026, 4): 1.35,
    (2026, 5): 1.4,
    (2026, 6): 1.3,
    (2026, 7): 1.15,
    (2026, 8): 1.1,
    (2026, 9): 0.8,
    (2026, 10): 0.75,
    (2026, 11): 1.15,
}
# The order most groups teach the courses in: the phone first, then VNeID, then what scams look like.
COURSE_ORDER = [
    "BDHVS-01",
    "BDHVS-02",
    "BDHVS-05",
    "BDHVS-03",
    "BDHVS-04",
    "BDHVS-07",
    "BDHVS-06",
    "BDHVS-08",
]
GENERAL_TOPICS = [
    "Sinh hoạt tổ: tổng kết tháng, bàn kế hoạch tháng tới",
    "Hỗ trợ bà con cài đặt và kích hoạt VNeID mức 2",
    "Giải đáp thắc mắc, chữa lỗi điện thoại cho bà con",
    "Hướng dẫn người mới đăng ký tài khoản HọcSố",
    "Ôn lại các bài đã học, làm lại câu hỏi ôn tập",
]
SEASONAL_TOPICS = {
    1: "Cảnh giác lừa đảo qua mạng dịp Tết",
    2: "Cảnh giác lừa đảo qua mạng dịp Tết",
    9: "Xem dự báo thời tiết và giá nông sản mùa thu hoạch",
    10: "Xem dự báo thời tiết và giá nông sản mùa thu hoạch",
}
STALLED_SHARE = 0.065
# Of the meetings where someone was marked absent, how many got a second mark for one of them.
CORRECTED_SHARE = 0.05
MARK_FIELDS = [
    "uuid",
    "session",
    "member",
    "status",
    "recorded_at",
    "received_at",
    "recorded_by",
    "device_id",
]
SESSION_FIELDS = [
    "uuid",
    "group",
    "starts_at",
    "place",
    "topic",
    "course",
    "lesson",
    "created_by",
    "created_at",
]
PRESENT, LATE, EXCUSED, ABSENT = (s.value for s in AttendanceMark.Status)


@dataclass
class _Member:
    user_id: int
    role: str
    joined: datetime.date
    left: datetime.date | None
    name: str
    turnout: float = 0.0

    def on_roster(self, day: datetime.date) -> bool:
        # The same rule as the sync service: a member on the day they left is still on the roster.
        return self.joined <= day and (self.left is None or self.left >= day)


@dataclass
class _Group:
    pk: int
    code: str
    commune_id: int
    rate: float
    signal: bool
    place: str
    other_places: list[str]
    connected_places: set[str]
    members: list[_Member]
    leaders: list[_Member]
    start: datetime.date
    cadence: float = 0.0
    weekday: int = 0
    time: datetime.time = datetime.time(19, 30)
    stalled_after: datetime.date | None = None
    # (user_id, day) -> the statuses recorded one after the other (two: a correction).
    story: dict[tuple[int, datetime.date], tuple[str, ...]] = field(default_factory=dict)


@dataclass
class _Planned:
    starts_at: datetime.datetime
    topic: str
    course_id: int | None = None
    lesson_id: int | None = None
    place: str = ""


def commune_rates(*, seed: int = 2026) -> dict[int, float]:
    """Each commune's usual share of members who come (present or late) in an ordinary week.

    Ranked by the lessons its members have done, with some noise, so that the communes that meet well
    are mostly those that learn well. The demo commune is among the good ones: it is the first a new
    user opens, and a working commune shows what the statistics are for.
    """
    rng = random.Random(seed + 20)
    communes = list(Commune.objects.order_by("code").values_list("pk", "code"))
    members = dict(
        Membership.objects.values("group__commune").annotate(n=Count("pk")).values_list("group__commune", "n")
    )
    lessons = dict(
        LessonProgress.objects.filter(user__memberships__isnull=False)
        .values("user__memberships__group__commune")
        .annotate(n=Count("pk"))
        .values_list("user__memberships__group__commune", "n")
    )
    score = {
        pk: lessons.get(pk, 0) / max(members.get(pk, 0), 1) + rng.gauss(0, 0.8) for pk, _code in communes
    }
    ranked = sorted(communes, key=lambda item: score[item[0]], reverse=True)
    high, low = round(len(ranked) * 0.3), round(len(ranked) * 0.25)
    demo = next((item for item in ranked if item[1] == DEMO_COMMUNE_CODE), None)
    if demo is not None and ranked.index(demo) >= high:
        ranked.remove(demo)
        ranked.insert(high // 2, demo)
    rates = (
        [rng.uniform(0.85, 0.95) for _ in range(high)]
        + [rng.uniform(0.60, 0.85) for _ in range(len(ranked) - high - low)]
        + [rng.uniform(0.42, 0.60) for _ in range(low)]
    )
    return {pk: rate for (pk, _code), rate in zip(ranked, sorted(rates, reverse=True), strict=True)}


@transaction.atomic
def seed_attendance(*, seed: int = 2026) -> int:
    """Write the year of sessions and marks; return the number of sessions written (0 if any existed)."""
    if Session.objects.exists():
        return 0
    rng = random.Random(seed + 30)
    units = _teaching_units()
    groups = _groups(rng, commune_rates(seed=seed))
    _stall_some(rng, groups)
    resident = User.objects.filter(phone=RESIDENT.phone).values_list("pk", flat=True).first()
    demo = _demo_group_code(groups)
    devices: dict[int, str] = {}
    sessions: list[tuple] = []
    marks: list[tuple] = []
    for group in groups:
        if group.code == demo:
            group.cadence, group.weekday, group.time = 3.6, 1, datetime.time(19, 0)  # Tuesday evenings
        plan = _plan(rng, group, units)
        if group.code == demo:
            plan = _demo_story(group, plan, units, resident)
        for item in plan:
            if held := _hold(rng, group, item, devices):
                sessions.append(held[0])
                marks.extend(held[1])

    sessions.sort(key=lambda row: row[-1])
    insert_rows(Session, SESSION_FIELDS, sessions)
    ids = dict(Session.objects.values_list("uuid", "pk"))
    marks.sort(key=lambda row: row[5])  # in the order the server got them
    insert_rows(AttendanceMark, MARK_FIELDS, ((row[0], ids[row[1]], *row[2:]) for row in marks))
    return len(sessions)


def _demo_group_code(groups: list[_Group]) -> str:
    return next((g.code for g in groups if g.code.startswith(DEMO_COMMUNE_CODE)), "")


def _teaching_units() -> list[tuple[str, int, int]]:
    """(topic, course, lesson) for each lesson, in the order groups teach them."""
    courses = {c.code: c for c in CoursePage.objects.live().filter(locale__language_code="vi")}
    units = []
    for code in COURSE_ORDER:
        course = courses.get(code)
        if course is None:
            continue
        for number, (lesson_id, title) in enumerate(course.lessons().values_list("pk", "title"), 1):
            units.append((f"{course.title} – Bài {number}: {title}"[:200], course.pk, lesson_id))
    return units


def _village_hall(village_name: str) -> str:
    if village_name.startswith("Tổ dân phố"):
        return f"Nhà văn hoá tổ dân phố {village_name.removeprefix('Tổ dân phố').strip()}"
    return f"Nhà văn hoá xóm {village_name}"


def _groups(rng: random.Random, rates: dict[int, float]) -> list[_Group]:
    members: dict[int, list[_Member]] = {}
    for group_id, user_id, role, joined, left, name in Membership.objects.order_by(
        "group_id", "joined_on", "user_id"
    ).values_list("group_id", "user_id", "role", "joined_on", "left_on", "user__full_name"):
        members.setdefault(group_id, []).append(_Member(user_id, role, joined, left, name))
    groups = []
    for group in CommunityGroup.objects.select_related("village", "commune").order_by("code"):
        roster = members.get(group.pk, [])
        leaders = sorted(
            (m for m in roster if m.role in Membership.LEADING_ROLES),
            key=lambda m: m.role != Membership.Role.LEADER,
        )
        if not leaders:
            continue  # nobody to call a meeting
        village = group.village.name if group.village else ""
        kind = "phường" if group.commune.kind == Commune.Kind.WARD else "xã"
        rate = rates.get(group.commune_id, 0.7) + rng.uniform(-0.04, 0.04)
        # A group gets going a week or two after its leader (or deputy) joins.
        started = min(m.joined for m in leaders) + datetime.timedelta(days=rng.randrange(3, 15))
        item = _Group(
            pk=group.pk,
            code=group.code,
            commune_id=group.commune_id,
            rate=rate,
            signal=group.village.has_mobile_signal if group.village else True,
            place=_village_hall(village) if village else f"Nhà văn hoá {kind} {group.commune.name}",
            other_places=[
                f"Hội trường UBND {kind} {group.commune.name}",
                f"Nhà tổ trưởng {leaders[0].name}",
                f"Điểm Bưu điện văn hoá {kind} {group.commune.name}",
            ],
            connected_places={
                f"Hội trường UBND {kind} {group.commune.name}",
                f"Điểm Bưu điện văn hoá {kind} {group.commune.name}",
            },
            members=roster,
            leaders=leaders,
            start=max(START.date(), started),
        )
        # Groups that come well also meet more often: between once and four times a month.
        keen = (rate - 0.4) / 0.55 + rng.gauss(0, 0.25)
        item.cadence = 1 + 3 * min(1.0, max(0.0, keen))
        item.weekday, item.time = rng.choices(
            [
                (
                    rng.randrange(5),
                    rng.choice([datetime.time(19, 0), datetime.time(19, 30), datetime.time(20, 0)]),
                ),
                (5, rng.choice([datetime.time(8, 0), datetime.time(19, 30)])),
                (6, rng.choice([datetime.time(8, 0), datetime.time(8, 30), datetime.time(14, 0)])),
            ],
            weights=[60, 15, 25],
        )[0]
        # Leaders are there nearly every time and the seasons keep people away: for the year to come
        # out at ``rate``, members come less often than that in weak communes, more in strong ones.
        usual = (rate - 0.24) / 0.7
        for member in roster:
            spread = 0.06 if member.role in Membership.LEADING_ROLES else 0.12
            bonus = 0.1 if member.role in Membership.LEADING_ROLES else 0.0
            member.turnout = min(0.98, max(0.05, usual + bonus + rng.gauss(0, spread)))
        groups.append(item)
    return groups


def _stall_some(rng: random.Random, groups: list[_Group]) -> None:
    """About one group in fifteen stopped meeting a month or more ago, more often where few come."""
    demo = _demo_group_code(groups)
    latest_start = LAST_DAY - datetime.timedelta(days=200)
    eligible = [g for g in groups if g.start <= latest_start and g.code != demo]
    count = round(STALLED_SHARE * len(groups))
    # A weighted sample without replacement (Efraimidis–Spirakis): weaker groups stall more often.
    keyed = sorted(eligible, key=lambda g: rng.random() ** (1 / (1.25 - g.rate) ** 2), reverse=True)
    for group in keyed[:count]:
        earliest = max(group.start + datetime.timedelta(days=60), LAST_DAY - datetime.timedelta(days=160))
        latest = END.date() - datetime.timedelta(days=35)
        group.stalled_after = earliest + datetime.timedelta(days=rng.randrange((latest - earliest).days + 1))


def _plan(rng: random.Random, group: _Group, units) -> list[_Planned]:
    """The group's meetings: a few a month on its usual evening, fewer at Tết and at the harvest."""
    plan = []
    last = min(LAST_DAY, group.stalled_after or LAST_DAY)
    year, month = group.start.year, group.start.month
    # Most groups begin with the phone itself; some, whose members already use one, further on.
    firsts = [i for i, unit in enumerate(units) if i == 0 or unit[1] != units[i - 1][1]]
    unit = 0 if rng.random() < 0.7 or len(firsts) < 4 else rng.choice(firsts[1:4])
    while (year, month) <= (last.year, last.month):
        month_days = calendar.monthrange(year, month)[1]
        low = max(datetime.date(year, month, 1), group.start)
        high = min(datetime.date(year, month, month_days), last)
        span = (high - low).days + 1
        expected = group.cadence * MONTH_ACTIVITY[(year, month)] * span / month_days
        count = int(expected) + (rng.random() < expected % 1)
        count = min(4, max(1 if span >= 7 else 0, count))
        for part in range(count):
            first = low + datetime.timedelta(days=span * part // count)
            days = [
                first + datetime.timedelta(days=offset)
                for offset in range(span * (part + 1) // count - span * part // count)
            ]
            days = [d for d in days if not TET_HOLIDAY[0] <= d <= TET_HOLIDAY[1]]
            if not days:
                continue
            usual = [d for d in days if d.weekday() == group.weekday]
            day = rng.choice(usual) if usual and rng.random() < 0.85 else rng.choice(days)
            if day.weekday() == group.weekday:
                time = group.time
            elif day.weekday() >= 5:
                time = rng.choice([datetime.time(8, 0), datetime.time(14, 0), datetime.time(19, 30)])
            else:
                time = rng.choice([datetime.time(19, 0), datetime.time(19, 30), datetime.time(20, 0)])
            starts_at = datetime.datetime.combine(day, time, TZ)
            place = group.place if rng.random() < 0.88 else rng.choice(group.other_places)
            seasonal = SEASONAL_TOPICS.get(month) if day < TET_HOLIDAY[0] or month != 2 else None
            if seasonal and rng.random() < 0.3:
                plan.append(_Planned(starts_at, seasonal, place=place))
            elif not units or rng.random() < 0.12:
                plan.append(_Planned(starts_at, rng.choice(GENERAL_TOPICS), place=place))
            else:
                topic, course_id, lesson_id = units[unit % len(units)]
                unit += 1
                plan.append(_Planned(starts_at, topic, course_id, lesson_id, place))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return plan


def _demo_story(group: _Group, plan: list[_Planned], units, resident: int | None) -> list[_Planned]:
    """The demo group meets on Tuesday evenings, and the demo resident's evenings match her learning.

    She enrolled in three courses at meetings (demo/seed/learning.py dates her enrolments half an hour
    into them), came to the last meeting three days ago, was excused once at the harvest and was once
    marked absent before she walked in late.
    """
    codes = dict(CoursePage.objects.filter(pk__in={unit[1] for unit in units}).values_list("pk", "code"))
    lessons: dict[str, list] = {}
    for unit in units:
        lessons.setdefault(codes[unit[1]], []).append(unit)

    def teach(item: _Planned, code: str, number: int) -> None:
        if number < len(lessons.get(code, [])):
            item.topic, item.course_id, item.lesson_id = lessons[code][number]

    evenings = {
        datetime.datetime(2026, 9, 2, 19, 0, tzinfo=TZ): "BDHVS-01",
        datetime.datetime(2026, 9, 20, 19, 30, tzinfo=TZ): "BDHVS-02",
        datetime.datetime(2026, 11, 10, 18, 30, tzinfo=TZ): "BDHVS-05",
        datetime.datetime(2026, 11, 24, 19, 0, tzinfo=TZ): "BDHVS-05",
    }
    story = [_Planned(moment, GENERAL_TOPICS[3], place=group.place) for moment in evenings]
    kept = [
        item
        for item in plan
        if item.starts_at.date() < datetime.date(2026, 11, 21)
        and all(abs(item.starts_at - moment) > datetime.timedelta(days=3) for moment in evenings)
    ]
    plan = sorted(kept + story, key=lambda item: item.starts_at)
    for item in story:
        teach(item, evenings[item.starts_at], 0)
    # From the evening she enrolled in it, the group works through the course on scams.
    for number, item in enumerate(p for p in plan if p.starts_at >= story[2].starts_at):
        teach(item, "BDHVS-05", number)
    if resident is not None:
        for item in story:
            group.story[(resident, item.starts_at.date())] = (PRESENT,)
        harvest = [p.starts_at.date() for p in plan if p.starts_at > story[1].starts_at]
        october = [p.starts_at.date() for p in plan if p.starts_at.month == 10]
        if harvest:
            group.story[(resident, harvest[0])] = (EXCUSED,)
        if october:
            group.story[(resident, october[-1])] = (ABSENT, LATE)
    return plan


def _turnout(day: datetime.date) -> float:
    """How much the season keeps people away, against an ordinary week."""
    if datetime.date(2026, 2, 1) <= day <= datetime.date(2026, 3, 3):
        return 0.8  # Tết: preparing, visiting, then the spring festivals up to the full moon
    if datetime.date(2026, 9, 5) <= day <= datetime.date(2026, 10, 31):
        return 0.82  # rice and chestnuts
    if datetime.date(2026, 3, 4) <= day <= datetime.date(2026, 6, 30):
        return 1.06
    return 1.0


def _later(rng, moment: datetime.datetime, low: int, high: int) -> datetime.datetime:
    return moment + datetime.timedelta(seconds=low + int(rng.random() * (high - low)))


def _sync_time(rng, signal: bool, recorded: datetime.datetime) -> datetime.datetime:
    """When the server got marks recorded at ``recorded`` (never after "today")."""
    if signal:
        # Most phones send at once; some were offline in the hall and sent from home that night.
        received = (
            _later(rng, recorded, 20, 300) if rng.random() < 0.85 else _later(rng, recorded, 3600, 4 * 3600)
        )
    else:
        # No signal at home: the marks wait for the next trip to the commune centre or the market.
        local = recorded.astimezone(TZ) + datetime.timedelta(days=rng.randrange(1, 8))
        received = local.replace(hour=rng.randrange(7, 17), minute=rng.randrange(60)).astimezone(UTC)
    return min(received, max(END.astimezone(UTC), recorded + datetime.timedelta(seconds=30)))


def _hold(rng, group: _Group, item: _Planned, devices: dict[int, str]) -> tuple[tuple, list[tuple]] | None:
    """One meeting: the roll call on a leader's phone, the sync, now and then a correction.

    Returns the session's row and its marks' rows (with the session's UUID in place of its id).
    """
    day = item.starts_at.date()
    recorders = [m for m in group.leaders if m.on_roster(day)]
    roster = [m for m in group.members if m.on_roster(day)]
    if not recorders or len(roster) < 2:
        return None
    recorder = recorders[0] if len(recorders) == 1 or rng.random() < 0.8 else recorders[1]
    by = recorder.user_id
    if by not in devices:
        devices[by] = f"phone-{_uuid(rng)}"
    device = devices[by]
    session_uuid = _uuid(rng)
    starts_at = item.starts_at.astimezone(UTC)
    signal = group.signal or item.place in group.connected_places
    season = _turnout(day)

    calls = []  # (member, status, recorded at)
    moment = _later(rng, starts_at, 300, 1500)
    for member in roster:
        story = group.story.get((member.user_id, day))
        if member is recorder:
            status = PRESENT
        elif story:
            status = story[0]
        elif rng.random() < member.turnout * season:
            status = LATE if rng.random() < 0.12 else PRESENT
        else:
            status = EXCUSED if rng.random() < 0.35 else ABSENT
        moment = _later(rng, moment, 3, 15)  # one tap per person
        calls.append((member, status, _later(rng, moment, 600, 2400) if status == LATE else moment))
    received = _sync_time(rng, signal, max(recorded for _m, _s, recorded in calls))
    marks = [
        (_uuid(rng), session_uuid, member.user_id, status, recorded, received, by, device)
        for member, status, recorded in calls
    ]

    told = [call for call in calls if len(group.story.get((call[0].user_id, day), ())) > 1]
    absent = [call for call in calls if call[1] == ABSENT]
    if told or (absent and rng.random() < CORRECTED_SHARE):
        member, _status, recorded = rng.choice(told or absent)
        story = group.story.get((member.user_id, day), ())
        status = story[1] if len(story) > 1 else (LATE if rng.random() < 0.7 else EXCUSED)
        if status == LATE:  # walked in after the roll call
            corrected = _later(rng, recorded, 900, 2700)
        else:  # sent word the next day
            next_day = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(7), TZ)
            corrected = _later(rng, next_day.astimezone(UTC), 0, 12 * 3600)
        if corrected < END:
            arrived = received if received >= corrected else _sync_time(rng, signal, corrected)
            marks.append((_uuid(rng), session_uuid, member.user_id, status, corrected, arrived, by, device))

    if signal and rng.random() < 0.6:
        # Planned ahead on the phone while it had signal, a few days before.
        created_at = starts_at - datetime.timedelta(days=rng.randrange(1, 7), hours=rng.randrange(10))
    else:
        created_at = received  # made offline at the meeting, it travelled with its marks
    session = (
        session_uuid,
        group.pk,
        starts_at,
        item.place,
        item.topic,
        item.course_id,
        item.lesson_id,
        by,
        created_at,
    )
    return session, marks


def _uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID, like the phones make, but from the seeded stream."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)
