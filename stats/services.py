"""Keeping the statistics' rollups (stats.models) up to date: incrementally, by contribution.

Every rollup row is a sum: a commune's rows are what each of its residents and members adds, plus
what each of its held sessions adds (``stats.contributions``), and nobody's share depends on anyone
else's. So a refresh need not reread a commune's history: it recomputes the shares of the people
and sessions that changed, subtracts the shares last written for them (``Contribution``), adds the
new ones, and stores them. Its cost grows with the facts of what changed, not with the commune's
history. The stored share is what makes a move right: a person who moved village or left a group
is subtracted from the rows they counted in before, which their facts no longer name.

Changes are noted after commit (``members.extensions``): ``people_changed`` and ``sessions_changed``
say whose facts changed (a ``Pending`` person or session); ``community_changed`` says only where
(a ``Pending`` commune, recomputed whole: group edits, imports). Each note also marks the
communes concerned as changed (``CommuneFreshness.changed_at``), which is what the pages read to
say how fresh their numbers are, and what queues the refresh: with a worker (production:
``STATS_REFRESH = "task"``), the first note since the last refresh queues one; in the embedded
default without a worker (``"on_view"``), whoever opens the statistics refreshes first. A session
planned ahead counts once it opens: a commune's numbers expire then (``expires_at``), and a refresh
takes the sessions opened since as changed.

Why notes are written after commit, each in its own statement, and a refresh clears the notes
before it claims (deletes) the pending rows and reads: a writer commits its facts, then writes its
pending rows, then its commune notes. Whatever order that and a refresh come in, the change is
either read by the refresh (its pending row was there when claimed, and its facts committed before)
or is still pending and noted for the next one; no writer holds a lock on a note while its own
transaction runs.

Refreshes are serialised where they write: an incremental one locks every commune's freshness row
(56 rows, in order), a full refresh of a commune locks that commune's, so a share is never
subtracted twice or applied over a commune being rewritten. A whole refresh reads its commune's facts
before it takes the lock: if an incremental refresh changed the commune's rows meanwhile
(``applied_at``), what it read may be older than what that one applied, so it notes the commune to be
recomputed whole once more.

``refresh_all`` (``manage.py refresh_statistics``) is the safety net: it recomputes every commune
from its facts, as the sum of everyone's shares, and rewrites the shares. The nightly job keeps
calling it: it is the one refresh that does not trust the notes, so a change written without one
(a bulk load, a fix made in the database) is counted by the next morning, and it costs nothing at
night that anyone waits for. Everything in the day is incremental.
"""

import datetime
import functools
import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Min, Q
from django.utils import timezone

from attendance.models import OPENS_BEFORE_START, Session
from members.models import Commune, Membership, User
from stats import selectors
from stats.contributions import (
    COUNT_COLUMNS,
    ROW_COLUMNS,
    Rows,
    _Facts,
    _Framework,
    decode,
    encode,
    rows_of,
)
from stats.models import CommuneFreshness, Contribution, Pending, Subject

logger = logging.getLogger(__name__)

BATCH = 2000
# People and sessions whose shares one incremental transaction recomputes.
SUBJECTS_PER_BATCH = 500


# Noting changes -----------------------------------------------------------------------------------


def communes_changed(commune_ids: set[int]) -> None:
    """Registered on ``members.extensions.community_changed``; runs inside the writer's transaction."""
    ids = sorted(commune_ids)
    transaction.on_commit(lambda: _note_changes(ids))


def people_changed(user_ids: set[int]) -> None:
    """Registered on ``members.extensions.people_changed``: their communes are resolved after commit."""
    ids = sorted(user_ids)
    transaction.on_commit(lambda: _note_pending(Subject.PERSON, ids))


def sessions_changed(session_ids: set[int]) -> None:
    """Registered on ``members.extensions.sessions_changed``: a session held or planned, or its marks."""
    ids = sorted(session_ids)
    transaction.on_commit(lambda: _note_pending(Subject.SESSION, ids))


def communes_of_people(user_ids: list[int]) -> list[int]:
    """Where these people count: the communes they live in and those of their groups."""
    lived = User.objects.filter(pk__in=user_ids, village__isnull=False).values_list(
        "village__commune_id", flat=True
    )
    grouped = (
        Membership.objects.active().filter(user_id__in=user_ids).values_list("group__commune_id", flat=True)
    )
    return sorted(set(lived) | set(grouped))


def _note_changes(commune_ids: list[int]) -> None:
    """The facts of these communes changed, without saying whose: they are recomputed whole."""
    if not commune_ids:
        return
    Pending.objects.bulk_create(
        [Pending(kind=Subject.COMMUNE, subject_id=commune_id) for commune_id in commune_ids],
        ignore_conflicts=True,
    )
    _note(commune_ids)


def _note_pending(kind: str, ids: list[int]) -> None:
    """The facts of these people or sessions changed: they are pending, and the communes where they
    count now and where they counted last are noted as changed."""
    if not ids:
        return
    Pending.objects.bulk_create([Pending(kind=kind, subject_id=i) for i in ids], ignore_conflicts=True)
    if kind == Subject.PERSON:
        now = set(communes_of_people(ids))
    else:
        now = set(Session.objects.filter(pk__in=ids).values_list("group__commune_id", flat=True))
    before = Contribution.objects.filter(kind=kind, subject_id__in=ids).values_list("commune_id", flat=True)
    _note(sorted(now | set(before)))


def _note(commune_ids: list[int]) -> None:
    if not commune_ids:
        return
    noted = CommuneFreshness.objects.filter(commune_id__in=commune_ids, changed_at__isnull=True).update(
        changed_at=timezone.now()
    )
    if noted and settings.STATS_REFRESH == "task":
        from stats.tasks import refresh_changed_communes

        refresh_changed_communes.enqueue()


def note_expired(commune_ids: Iterable[int] | None = None) -> None:
    """Note the communes whose numbers expired (a session planned ahead has started) as changed, so
    that a worker is asked once to refresh them. One statement."""
    expired = CommuneFreshness.objects.expired().filter(changed_at__isnull=True)
    if commune_ids is not None:
        expired = expired.filter(commune_id__in=commune_ids)
    if expired.update(changed_at=models.F("expires_at")) and settings.STATS_REFRESH == "task":
        from stats.tasks import refresh_changed_communes

        refresh_changed_communes.enqueue()


def requeue_lost_refreshes(now: datetime.datetime | None = None) -> bool:
    """The periodic safety net (``manage.py run_scheduler``): with a worker, a commune noted as
    changed is refreshed by the task its first note queued, and later notes queue nothing. If that
    task was lost, the note would stand for good: a note older than ``STATS_REFRESH_LOST_AFTER``
    seconds queues one refresh again. Whether it did."""
    if settings.STATS_REFRESH != "task":
        return False
    lost_before = (now or timezone.now()) - datetime.timedelta(seconds=settings.STATS_REFRESH_LOST_AFTER)
    if not CommuneFreshness.objects.filter(changed_at__lt=lost_before).exists():
        return False
    from stats.tasks import refresh_changed_communes

    logger.warning(
        "Statistics noted as changed before %s were not refreshed: refresh queued again", lost_before
    )
    refresh_changed_communes.enqueue()
    return True


def changed_commune_ids(commune_ids: Iterable[int] | None = None) -> list[int]:
    """Communes whose facts changed since their numbers were computed (or whose numbers expired: a
    session planned ahead has started), or never computed."""
    wanted = Commune.objects.all() if commune_ids is None else Commune.objects.filter(id__in=commune_ids)
    up_to_date = CommuneFreshness.objects.up_to_date().values("commune_id")
    return list(wanted.exclude(id__in=up_to_date).order_by("id").values_list("id", flat=True))


def _communes_to_rebuild(commune_ids: Iterable[int] | None) -> list[int]:
    """Of ``commune_ids`` (or all), those never computed, and those noted without saying whose facts
    changed."""
    wanted = Commune.objects.all() if commune_ids is None else Commune.objects.filter(id__in=commune_ids)
    computed = CommuneFreshness.objects.filter(refreshed_at__isnull=False).values("commune_id")
    noted = Pending.objects.filter(kind=Subject.COMMUNE).values("subject_id")
    return list(
        wanted.filter(~Q(id__in=computed) | Q(id__in=noted)).order_by("id").values_list("id", flat=True)
    )


# Refreshing ---------------------------------------------------------------------------------------


@dataclass
class RefreshReport:
    communes: int = 0
    rows: int = 0
    seconds: float = 0.0
    subjects: int = 0  # people and sessions whose shares an incremental refresh recomputed


def refresh_if_stale(*, query: selectors.StatsQuery) -> selectors.Freshness:
    """Bring the numbers ``query`` reads up to date as far as this deployment does it on a read, and
    say how fresh they are. Without a worker (``STATS_REFRESH = "on_view"``, the embedded default),
    what changed is counted first, by whoever looks at it; with a worker, it is asked to. A write:
    the statistics pages and the API call it before reading."""
    wanted = {query.commune.pk} if query.commune is not None else query.commune_ids
    note_expired(wanted)
    freshness = selectors.freshness(query)
    if settings.STATS_REFRESH == "on_view" and (freshness.changed_since or freshness.missing):
        refresh_changed(wanted)
        freshness = selectors.freshness(query)
    return freshness


def refresh_changed(commune_ids: Iterable[int] | None = None) -> RefreshReport:
    """Count what changed: the communes (of ``commune_ids``, or all) never computed or noted as
    changed without saying whose facts, whole; then every pending person and session, and the
    sessions opened since numbers were computed, by their shares."""
    report = refresh_communes(_communes_to_rebuild(commune_ids))
    incremental = refresh_pending()
    report.communes += incremental.communes
    report.rows += incremental.rows
    report.subjects = incremental.subjects
    report.seconds += incremental.seconds
    return report


def refresh_all() -> RefreshReport:
    """Recompute every commune from its facts and rewrite every share: the safety net."""
    # Everything pending now is read below: claimed first, as a refresh clears its notes first.
    last = Pending.objects.order_by("-pk").values_list("pk", flat=True).first()
    if last is not None:
        Pending.objects.filter(pk__lte=last).delete()
    return refresh_communes(list(Commune.objects.order_by("id").values_list("id", flat=True)))


def refresh_communes(commune_ids: Iterable[int]) -> RefreshReport:
    """Recompute these communes whole, from their facts."""
    report = RefreshReport()
    started = time.perf_counter()
    framework = _Framework.load()
    for commune_id in commune_ids:
        report.rows += _refresh_commune(commune_id, framework)
        report.communes += 1
    report.seconds = time.perf_counter() - started
    if report.communes:
        logger.info(
            "Statistics refreshed: %d communes, %d rows, %.2f s", report.communes, report.rows, report.seconds
        )
    return report


def _refresh_commune(commune_id: int, framework: _Framework) -> int:
    # First clear the note (committed at once), then read: see the module docstring.
    freshness, _created = CommuneFreshness.objects.get_or_create(commune_id=commune_id)
    CommuneFreshness.objects.filter(pk=freshness.pk).update(changed_at=None)
    Pending.objects.filter(kind=Subject.COMMUNE, subject_id=commune_id).delete()
    computed_at = timezone.now()
    facts = _Facts.read(commune_id, computed_at)
    # The commune's rows are the sum of everyone's shares (stats.contributions).
    totals: Rows = defaultdict(dict)
    shares = []
    for kind, subject_id, _commune, subject_facts in facts.split():
        rows = rows_of(subject_facts, framework)
        if rows:
            shares.append(
                Contribution(commune_id=commune_id, kind=kind, subject_id=subject_id, rows=encode(rows))
            )
        for model, counts in rows.items():
            table = totals[model]
            for key, values in counts.items():
                total = table.get(key)
                table[key] = (
                    values if total is None else tuple(a + b for a, b in zip(total, values, strict=True))
                )
    with transaction.atomic():
        # Serialises two refreshes of one commune (PostgreSQL); SQLite serialises all writers anyway.
        locked = CommuneFreshness.objects.select_for_update().get(pk=freshness.pk)
        written = 0
        for model in ROW_COLUMNS:
            model.objects.filter(commune_id=commune_id).delete()
            written += _insert(model, [(commune_id, *key, *counts) for key, counts in totals[model].items()])
        Contribution.objects.filter(commune_id=commune_id).delete()
        Contribution.objects.bulk_create(shares, batch_size=BATCH)
        CommuneFreshness.objects.filter(pk=freshness.pk).update(
            refreshed_at=computed_at, expires_at=facts.next_opening_at
        )
    if locked.applied_at != freshness.applied_at:
        # An incremental refresh changed the commune's rows while these facts were read: a person it
        # counted may have moved out since, and nothing pending says so any more. Once more, whole.
        _note_changes([commune_id])
    return written


def refresh_pending() -> RefreshReport:
    """Count the pending people and sessions, and the sessions opened since numbers were computed,
    by their shares: work in proportion to their facts, whatever the communes' history."""
    report = RefreshReport()
    started = time.perf_counter()
    # First clear the notes, then claim what is pending and read (see the module docstring). A
    # commune to be recomputed whole keeps its note until it is.
    whole = Pending.objects.filter(kind=Subject.COMMUNE).values("subject_id")
    CommuneFreshness.objects.filter(changed_at__isnull=False, refreshed_at__isnull=False).exclude(
        commune_id__in=whole
    ).update(changed_at=None)
    now = timezone.now()
    opened, expired = _sessions_opened(now)
    last = Pending.objects.exclude(kind=Subject.COMMUNE).order_by("-pk").values_list("pk", flat=True).first()
    framework = None
    touched: set[int] = set()
    while True:
        claimed = list(
            Pending.objects.exclude(kind=Subject.COMMUNE)
            .filter(pk__lte=last or 0)
            .order_by("pk")
            .values_list("pk", "kind", "subject_id")[:SUBJECTS_PER_BATCH]
        )
        if not claimed and not opened and not expired:
            break
        Pending.objects.filter(pk__in=[pk for pk, _kind, _id in claimed]).delete()
        people = [i for _pk, kind, i in claimed if kind == Subject.PERSON]
        sessions = sorted({i for _pk, kind, i in claimed if kind == Subject.SESSION} | opened)
        framework = framework or _Framework.load()
        report.rows += _refresh_subjects(people, sessions, expired, now, framework, touched)
        report.subjects += len(people) + len(sessions)
        opened, expired = set(), set()
    report.communes = len(touched)
    report.seconds = time.perf_counter() - started
    if report.subjects:
        logger.info(
            "Statistics refreshed: %d people and sessions, %d communes, %d rows changed, %.2f s",
            report.subjects,
            report.communes,
            report.rows,
            report.seconds,
        )
    return report


def _sessions_opened(now: datetime.datetime) -> tuple[set[int], set[int]]:
    """The sessions that opened since the numbers of their communes were computed (planned then,
    they count now), and those communes (whose numbers expired)."""
    opened, expired = set(), set()
    for commune_id, expires_at in CommuneFreshness.objects.expired(now).values_list(
        "commune_id", "expires_at"
    ):
        # expires_at was the opening of the first session planned then: the others open later.
        since = Session.objects.filter(
            group__commune_id=commune_id, starts_at__gte=expires_at + OPENS_BEFORE_START
        ).started(now)
        opened.update(since.values_list("pk", flat=True))
        expired.add(commune_id)
    return opened, expired


def _refresh_subjects(
    people: list[int],
    sessions: list[int],
    expired: set[int],
    now: datetime.datetime,
    framework: _Framework,
    touched: set[int],
) -> int:
    """Recompute these people's and sessions' shares and apply the difference to the rows, in one
    transaction; say when the numbers of the ``expired`` communes, and of those where a session
    read is planned, expire next. Adds the communes whose rows changed to ``touched``."""
    facts = _Facts.read_subjects(people, sessions, now)
    new: dict[tuple[str, int, int], Rows] = {}
    for kind, subject_id, commune_id, subject_facts in facts.split():
        rows = rows_of(subject_facts, framework)
        if rows:
            new[(kind, subject_id, commune_id)] = rows
    expiring = expired | set(facts.planned.values())
    communes = {commune_id for _kind, _id, commune_id in new} | expiring
    present = set(
        CommuneFreshness.objects.filter(commune_id__in=communes).values_list("commune_id", flat=True)
    )
    CommuneFreshness.objects.bulk_create(
        [CommuneFreshness(commune_id=c) for c in communes - present], ignore_conflicts=True
    )
    subjects = Q(kind=Subject.PERSON, subject_id__in=people) | Q(
        kind=Subject.SESSION, subject_id__in=sessions
    )
    with transaction.atomic():
        list(CommuneFreshness.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        old = {
            (kind, subject_id, commune_id): decode(rows)
            for kind, subject_id, commune_id, rows in Contribution.objects.filter(subjects).values_list(
                "kind", "subject_id", "commune_id", "rows"
            )
        }
        deltas: dict[type, dict[tuple, list[int]]] = defaultdict(dict)
        for sign, shares in ((-1, old), (1, new)):
            for (_kind, _id, commune_id), tables in shares.items():
                for model, rows in tables.items():
                    for key, counts in rows.items():
                        delta = deltas[model].setdefault((commune_id, *key), [0] * len(counts))
                        for index, count in enumerate(counts):
                            delta[index] += sign * count
        changed = 0
        broken: set[int] = set()
        for model, rows in deltas.items():
            rows = {key: delta for key, delta in rows.items() if any(delta)}
            changed += _apply(model, rows, broken)
            touched.update(commune_id for commune_id, *_key in rows)
        Contribution.objects.filter(subjects).delete()
        Contribution.objects.bulk_create(
            [
                Contribution(kind=kind, subject_id=subject_id, commune_id=commune_id, rows=encode(rows))
                for (kind, subject_id, commune_id), rows in new.items()
            ],
            batch_size=BATCH,
        )
        if expiring:
            _set_next_openings(expiring, now)
        CommuneFreshness.objects.filter(commune_id__in=touched, refreshed_at__isnull=False).update(
            refreshed_at=now, applied_at=timezone.now()
        )
    if broken:
        logger.warning(
            "Statistics rows out of step with their shares in communes %s: recomputed whole", broken
        )
        _note_changes(sorted(broken))
    return changed


def _set_next_openings(commune_ids: set[int], now: datetime.datetime) -> None:
    """When these communes' numbers expire: when their first session not held ``now`` opens."""
    first = dict(
        Session.objects.filter(group__commune_id__in=commune_ids)
        .planned(now)
        .values("group__commune_id")
        .annotate(first=Min("starts_at"))
        .values_list("group__commune_id", "first")
    )
    for commune_id in commune_ids:
        starts_at = first.get(commune_id)
        CommuneFreshness.objects.filter(commune_id=commune_id).update(
            expires_at=starts_at - OPENS_BEFORE_START if starts_at else None
        )


def _apply(model, deltas: dict[tuple, list[int]], broken: set[int]) -> int:
    """Add ``{(commune, *key): count deltas}`` to the rows: update those there, insert the new ones,
    delete those that come to nothing. Reads only the rows of the communes and months concerned.

    A row that would count less than nothing was changed behind the shares' back (a group deleted
    with its rows, a fix in the database): it is left alone and its commune added to ``broken``."""
    if not deltas:
        return 0
    columns = ROW_COLUMNS[model]
    counted = columns[len(columns) - COUNT_COLUMNS[model] :]
    existing = {}
    rows = model.objects.filter(
        commune_id__in={key[0] for key in deltas}, month__in={key[2] for key in deltas}
    ).values_list("pk", "commune_id", *columns)
    key_length = 1 + len(columns) - len(counted)
    for pk, *values in rows:
        existing[tuple(values[:key_length])] = (pk, values[key_length:])
    updated, deleted, inserted = [], [], []
    for key, delta in deltas.items():
        pk, counts = existing.get(key, (None, [0] * len(delta)))
        totals = [count + change for count, change in zip(counts, delta, strict=True)]
        if min(totals) < 0:
            broken.add(key[0])
        elif pk is None:
            inserted.append((*key, *totals))
        elif any(totals):
            updated.append(model(pk=pk, **dict(zip(counted, totals, strict=True))))
        else:
            deleted.append(pk)
    model.objects.bulk_update(updated, counted, batch_size=BATCH)
    if deleted:
        model.objects.filter(pk__in=deleted).delete()
    _insert(model, inserted)
    return len(deltas)


def _adapter(field):
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return functools.lru_cache(maxsize=None)(connection.ops.adapt_datefield_value)
    return None


def _insert(model, rows: list[tuple]) -> int:
    """Write ``(commune, *key columns, *count columns)`` rows with one statement per batch: model
    instances would cost more than the counting."""
    if not rows:
        return 0
    columns = ["commune_id", *ROW_COLUMNS[model]]
    table = connection.ops.quote_name(model._meta.db_table)
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the models, values bound
        table, ", ".join(connection.ops.quote_name(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    adapters = [_adapter(model._meta.get_field(column.removesuffix("_id"))) for column in columns]
    values = [
        tuple(
            value if adapt is None or value is None else adapt(value)
            for adapt, value in zip(adapters, row, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(values), BATCH):
            cursor.executemany(sql, values[start : start + BATCH])
    return len(values)
