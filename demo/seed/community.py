"""The province's people and groups at real scale: 1,462 villages, 1,349 groups, ~11,300 members.

Everything is generated from a seeded random stream, so a run produces the same rows every time.
Rows are inserted in bulk and only where their natural key is missing, so a second run changes
nothing. The shared demo password is hashed once and the hash reused for every person.
"""

import datetime
import random
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from demo.seed.names import MOBILE_PREFIXES, full_name, village_names
from members import consent, roles
from members.models import Commune, CommunityGroup, Membership, StaffScope, User, Village

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VILLAGES = 1462
VILLAGES_WITHOUT_SIGNAL = 138
GROUPS = 1349
GROUP_MEMBERS = 11300
DEMO_PASSWORD = "hocso2026"  # noqa: S105 - printed for the demo; seed_demo refuses production
DEMO_COMMUNE_CODE = "01477"  # Trùng Khánh: chestnuts, Bản Giốc, and our demo group
BATCH = 2000


@dataclass(frozen=True)
class DemoLogin:
    role: str
    phone: str
    password: str
    name: str


ADMIN = DemoLogin("admin", "+84912000000", DEMO_PASSWORD, "Quản trị hệ thống HọcSố")
TRAINER = DemoLogin("provincial_trainer", "+84912000001", DEMO_PASSWORD, "Hoàng Thị Minh Thư")
TRAINER_2 = DemoLogin("provincial_trainer", "+84912000002", DEMO_PASSWORD, "Lương Văn Khánh")
OFFICER = DemoLogin("commune_officer", "+84912000003", DEMO_PASSWORD, "Đàm Thị Thu Hà")
LEADER = DemoLogin("group_leader", "+84912000004", DEMO_PASSWORD, "Nông Văn Thắng")
RESIDENT = DemoLogin("resident", "+84912000005", DEMO_PASSWORD, "Nguyễn Thị Hồng Nhung")
DEMO_LOGINS = [RESIDENT, LEADER, OFFICER, TRAINER, ADMIN]
_RESERVED_PHONES = {login.phone for login in (*DEMO_LOGINS, TRAINER_2)}


@dataclass
class CommunityCounts:
    communes: int
    villages: int
    groups: int
    people: int
    memberships: int
    staff_scopes: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _split(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder)."""
    scale = total / sum(weights)
    raw = [weight * scale for weight in weights]
    parts = [int(value) for value in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


class _Phones:
    """Unique, valid-looking mobile numbers from the seeded stream."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used = set(_RESERVED_PHONES)

    def next(self) -> str:
        while True:
            prefix = self.rng.choice(MOBILE_PREFIXES)
            number = f"+84{prefix[1:]}{self.rng.randrange(10**7):07d}"
            if number not in self.used:
                self.used.add(number)
                return number


def _moment(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.datetime:
    day = start + datetime.timedelta(days=rng.randrange((end - start).days + 1))
    return datetime.datetime.combine(day, datetime.time(rng.randrange(7, 21), rng.randrange(60)), TZ)


def _insert_missing(model, rows: list, key, existing: set) -> int:
    missing = [row for row in rows if key(row) not in existing]
    model.objects.bulk_create(missing, batch_size=BATCH)
    return len(missing)


@transaction.atomic
def seed_community(*, residents: int = GROUP_MEMBERS, seed: int = 2026) -> CommunityCounts:
    communes = list(Commune.objects.order_by("code"))
    if len(communes) != 56:
        raise RuntimeError("The 56 communes are missing: run `manage.py migrate` first.")
    password_hash = make_password(DEMO_PASSWORD)
    rng = random.Random(seed)
    phones = _Phones(random.Random(seed + 1))

    villages_by_commune = _seed_villages(rng, communes)
    groups = _seed_groups(rng, communes, villages_by_commune)
    _seed_members(rng, phones, groups, villages_by_commune, min(residents, GROUP_MEMBERS), password_hash)
    if residents > GROUP_MEMBERS:
        _seed_more_residents(
            seed, phones, communes, villages_by_commune, residents - GROUP_MEMBERS, password_hash
        )
    _seed_staff(rng, phones, communes, password_hash)
    return community_counts()


def community_counts() -> CommunityCounts:
    return CommunityCounts(
        communes=Commune.objects.count(),
        villages=Village.objects.count(),
        groups=CommunityGroup.objects.count(),
        people=User.objects.count(),
        memberships=Membership.objects.count(),
        staff_scopes=StaffScope.objects.count(),
    )


def _seed_villages(rng: random.Random, communes: list[Commune]) -> dict[int, list[Village]]:
    # Wards (the provincial capital) hold more residential groups than a mountain commune.
    weights = [(1.6 if c.kind == Commune.Kind.WARD else 1.0) * rng.uniform(0.6, 1.4) for c in communes]
    counts = _split(VILLAGES, weights)
    rows = []
    for commune, count in zip(communes, counts, strict=True):
        for name in village_names(rng, count, ward=commune.kind == Commune.Kind.WARD):
            rows.append(Village(commune=commune, name=name))
    rural = [v for v in rows if not v.name.startswith("Tổ dân phố")]
    for village in rng.sample(rural, VILLAGES_WITHOUT_SIGNAL):
        village.has_mobile_signal = False
    existing = set(Village.objects.values_list("commune_id", "name"))
    _insert_missing(Village, rows, lambda v: (v.commune_id, v.name), existing)
    by_commune: dict[int, list[Village]] = {c.id: [] for c in communes}
    for village in Village.objects.order_by("commune__code", "id"):
        by_commune[village.commune_id].append(village)
    return by_commune


def _seed_groups(
    rng: random.Random, communes: list[Commune], villages_by_commune: dict[int, list[Village]]
) -> list[CommunityGroup]:
    all_villages = [v for c in communes for v in villages_by_commune[c.id]]
    chosen = {v.id for v in rng.sample(all_villages, GROUPS)}
    rows = []
    for commune in communes:
        number = 0
        for village in villages_by_commune[commune.id]:
            if village.id not in chosen:
                continue
            number += 1
            rows.append(
                CommunityGroup(
                    code=f"{commune.code}-{number:03d}",
                    name=f"Tổ công nghệ số cộng đồng {village.name}",
                    commune=commune,
                    village=village,
                    created_at=_moment(rng, datetime.date(2025, 3, 25), datetime.date(2025, 9, 30)),
                )
            )
    existing = set(CommunityGroup.objects.values_list("code", flat=True))
    _insert_missing(CommunityGroup, rows, lambda g: g.code, existing)
    return list(CommunityGroup.objects.select_related("village").order_by("code"))


def _person(rng, phones, village, password_hash, *, phone=None, name=None) -> User:
    birth_year = rng.randrange(1950, 2009) if rng.random() < 0.85 else None
    language = rng.choices(["vi", "tyz", "nut", "hmn"], weights=[90, 5, 3, 2])[0]
    joined = _moment(rng, datetime.date(2025, 4, 1), datetime.date(2026, 10, 31))
    return User(
        phone=phone or phones.next(),
        full_name=name or full_name(rng),
        password=password_hash,
        village=village,
        birth_year=birth_year,
        preferred_language=language,
        date_joined=joined,
        consent_at=joined,
        consent_version=consent.SIGNUP.version,
    )


def _seed_members(rng, phones, groups, villages_by_commune, count, password_hash) -> None:
    # Every group has a leader, a deputy and at least two members; the rest spread unevenly. A
    # small seed (tests) fills the demo group first and leaves the last groups empty.
    demo_group = next(g for g in groups if g.code.startswith(DEMO_COMMUNE_CODE))
    order = [demo_group.id] + [g.id for g in groups if g.id != demo_group.id]
    sizes = dict.fromkeys(order, 0)
    for group_id in order[: count // 4]:
        sizes[group_id] = 4
    filled = [group_id for group_id in order if sizes[group_id]]
    for group_id in rng.choices(filled, k=count - 4 * len(filled)) if filled else []:
        sizes[group_id] += 1

    people: list[User] = []
    plan: list[tuple[int, int, str, datetime.date, datetime.date | None]] = []
    for group in groups:
        for position in range(sizes[group.id]):
            role = (
                Membership.Role.LEADER
                if position == 0
                else Membership.Role.DEPUTY
                if position == 1
                else Membership.Role.MEMBER
            )
            fixed = {}
            if group.id == demo_group.id and position == 0:
                fixed = {"phone": LEADER.phone, "name": LEADER.name}
            elif group.id == demo_group.id and position == 2:
                fixed = {"phone": RESIDENT.phone, "name": RESIDENT.name}
            person = _person(rng, phones, group.village, password_hash, **fixed)
            people.append(person)
            joined = person.date_joined.date()
            left = None
            if role == Membership.Role.MEMBER and not fixed and rng.random() < 0.03:
                left = joined + datetime.timedelta(days=rng.randrange(30, 200))
            plan.append((len(people) - 1, group.id, role, joined, left))

    existing_phones = set(User.objects.values_list("phone", flat=True))
    _insert_missing(User, people, lambda u: u.phone, existing_phones)
    ids = dict(User.objects.filter(phone__in=[p.phone for p in people]).values_list("phone", "id"))
    memberships = [
        Membership(user_id=ids[people[i].phone], group_id=g, role=role, joined_on=joined, left_on=left)
        for i, g, role, joined, left in plan
    ]
    existing = set(Membership.objects.values_list("user_id", "group_id"))
    _insert_missing(Membership, memberships, lambda m: (m.user_id, m.group_id), existing)


def _seed_more_residents(seed, phones, communes, villages_by_commune, count, password_hash) -> None:
    """Residents who learn on their own, outside any group (for benchmarks at 400,000)."""
    # A separate stream: growing the seed never changes the people of the default seed.
    rng = random.Random(seed + 2)
    villages = [v for c in communes for v in villages_by_commune[c.id]]
    existing = set(User.objects.values_list("phone", flat=True))
    for start in range(0, count, 20000):
        chunk = [
            _person(rng, phones, rng.choice(villages), password_hash)
            for _ in range(min(20000, count - start))
        ]
        _insert_missing(User, chunk, lambda u: u.phone, existing)


def _seed_staff(rng, phones, communes, password_hash) -> None:
    staff = [
        User(
            phone=ADMIN.phone,
            full_name=ADMIN.name,
            password=password_hash,
            is_staff=True,
            is_superuser=True,
            consent_at=datetime.datetime(2025, 3, 21, 8, 0, tzinfo=TZ),
            consent_version=consent.ADMINISTRATOR.version,
        ),
        User(
            phone=TRAINER.phone,
            full_name=TRAINER.name,
            password=password_hash,
            consent_at=datetime.datetime(2025, 3, 21, 8, 0, tzinfo=TZ),
            consent_version=consent.SIGNUP.version,
        ),
        User(
            phone=TRAINER_2.phone,
            full_name=TRAINER_2.name,
            password=password_hash,
            consent_at=datetime.datetime(2025, 3, 21, 8, 0, tzinfo=TZ),
            consent_version=consent.SIGNUP.version,
        ),
    ]
    officers: dict[int, User] = {}
    for commune in communes:
        fixed = commune.code == DEMO_COMMUNE_CODE
        officer = User(
            phone=OFFICER.phone if fixed else phones.next(),
            full_name=OFFICER.name if fixed else full_name(rng),
            password=password_hash,
            consent_at=_moment(rng, datetime.date(2025, 3, 21), datetime.date(2025, 4, 30)),
            consent_version=consent.SIGNUP.version,
        )
        officers[commune.id] = officer
        staff.append(officer)
    existing = set(User.objects.values_list("phone", flat=True))
    _insert_missing(User, staff, lambda u: u.phone, existing)
    ids = dict(User.objects.filter(phone__in=[u.phone for u in staff]).values_list("phone", "id"))

    scopes = [
        StaffScope(user_id=ids[TRAINER.phone], role=StaffScope.Role.PROVINCIAL_TRAINER),
        StaffScope(user_id=ids[TRAINER_2.phone], role=StaffScope.Role.PROVINCIAL_TRAINER),
    ] + [
        StaffScope(user_id=ids[u.phone], role=StaffScope.Role.COMMUNE_OFFICER, commune_id=commune_id)
        for commune_id, u in officers.items()
    ]
    existing_scopes = set(StaffScope.objects.values_list("user_id", "role", "commune_id"))
    _insert_missing(StaffScope, scopes, lambda s: (s.user_id, s.role, s.commune_id), existing_scopes)

    through = User.groups.through
    links = []
    group_ids = {role: roles.group_for(role).pk for role in {scope.role for scope in scopes}}
    for scope in scopes:
        links.append(through(user_id=scope.user_id, group_id=group_ids[scope.role]))
    existing_links = set(through.objects.values_list("user_id", "group_id"))
    _insert_missing(through, links, lambda link: (link.user_id, link.group_id), existing_links)
