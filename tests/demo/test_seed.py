import datetime
import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum
from django.test import RequestFactory
from django.utils import timezone

from attendance.models import AttendanceMark, Session
from demo.seed.community import DEMO_LOGINS, GROUP_MEMBERS, seed_community
from demo.seed.learning import END
from members import roles
from members.models import AuditEvent, CommunityGroup, Membership, StaffScope, User, Village
from members.phone import normalize_phone
from stats import selectors
from stats.models import ActivityCount, AttainmentCount, CommuneFreshness, FunnelCount, ResidentCount

pytestmark = pytest.mark.django_db


def fingerprint():
    return (
        list(User.objects.order_by("phone").values_list("phone", "full_name", "village_id", "birth_year")),
        list(
            Membership.objects.order_by("user_id", "group_id").values_list(
                "user_id", "group_id", "role", "left_on"
            )
        ),
        list(CommunityGroup.objects.order_by("code").values_list("code", "name", "village_id")),
    )


def statistics():
    """The rollups as they are stored, row ids and the time they were computed included."""
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (
            CommuneFreshness,
            ResidentCount,
            AttainmentCount,
            FunnelCount,
            ActivityCount,
        )
    ]


def test_the_seed_loads_the_province_at_real_scale_and_twice_changes_nothing(tmp_path, monkeypatch):
    logins = tmp_path / "logins.json"
    output = io.StringIO()
    call_command("seed_demo", logins_json=logins, stdout=output)
    assert "Loaded the statistics' rollups in" in output.getvalue()
    history = (Session.objects.count(), AttendanceMark.objects.count())
    computed = statistics()
    call_command("seed_demo", stdout=io.StringIO())  # the second run changes nothing, statistics included
    assert (Session.objects.count(), AttendanceMark.objects.count()) == history
    assert statistics() == computed
    counts = seed_community()
    assert counts.communes == 56
    assert counts.villages == 1462
    assert counts.groups == 1349
    assert counts.memberships == GROUP_MEMBERS == 11300
    assert Village.objects.filter(has_mobile_signal=False).count() == 138
    before = fingerprint()
    again = seed_community()
    assert again == counts and fingerprint() == before

    # Every group has exactly one leader and one deputy, and lies in its village's commune.
    per_group = CommunityGroup.objects.annotate(
        leaders=Count("memberships", filter=Q(memberships__role="leader")),
        deputies=Count("memberships", filter=Q(memberships__role="deputy")),
    )
    assert set(per_group.values_list("leaders", "deputies")) == {(1, 1)}
    assert not CommunityGroup.objects.exclude(village__commune_id=F("commune_id")).exists()
    assert StaffScope.objects.filter(role="commune_officer").values("commune").distinct().count() == 56
    assert StaffScope.objects.filter(role="provincial_trainer").count() == 2
    assert roles.disagreements() == []  # every staff account is in its role's group, and only those

    # The logins printed and written work, one per role.
    data = json.loads(logins.read_text(encoding="utf-8"))
    assert [row["role"] for row in data] == [
        "resident",
        "group_leader",
        "commune_officer",
        "provincial_trainer",
        "admin",
    ]
    for row in data:
        user = authenticate(
            RequestFactory().post("/dang-nhap/"), username=row["phone"], password=row["password"]
        )
        assert user is not None and user.full_name == row["name"]
    assert not AuditEvent.objects.exists()  # bulk demo data is not an audited act

    # Certificates as certificate_issue makes them: a check code and a bit in the revocation list each,
    # none shared, and the counter past the last one so that the next issue takes a free bit.
    from certificates.models import Certificate, StatusListCounter

    indexes = list(Certificate.objects.values_list("status_index", flat=True))
    assert len(indexes) > 1000 and None not in indexes and len(set(indexes)) == len(indexes)
    assert StatusListCounter.objects.get(purpose="revocation").last == max(indexes)
    assert not Certificate.objects.filter(check_code="").exists()

    # Some people hold each profile, the digital cadres among them (once none could), and the
    # statistics count them: residents, group members and leaders, and cadres who live in a village.
    from courses.models import CompetencyProfile
    from stats.models import ProfileCount

    for profile in CompetencyProfile.objects.all():
        assert Certificate.objects.filter(profile=profile).count() >= 20, profile.code
        counted = ProfileCount.objects.filter(profile=profile, group__isnull=True).aggregate(Sum("people"))
        assert counted["people__sum"] >= 10, profile.code

    # The statistics are there at once: every commune computed, and the sessions and marks of the
    # year counted; some groups have stopped meeting (read live, as of the seed's last day), most not.
    assert CommuneFreshness.objects.filter(refreshed_at__isnull=False, changed_at__isnull=True).count() == 56
    totals = ActivityCount.objects.filter(group__isnull=False).aggregate(Sum("sessions"), Sum("marked"))
    assert totals["sessions__sum"] == history[0] > 30000
    assert 200000 < totals["marked__sum"] <= history[1]
    monkeypatch.setattr(timezone, "now", lambda: END)
    activity = selectors.activity(selectors.StatsQuery(commune_ids=None), inactive_limit=None)
    monkeypatch.undo()
    assert activity.total.groups == 1349
    assert 40 <= activity.inactive_count == len(activity.inactive) <= 150
    month_ago = END - datetime.timedelta(days=30)
    assert all(item.last_session_at is None or item.last_session_at < month_ago for item in activity.inactive)
    assert (
        ResidentCount.objects.exists() and AttainmentCount.objects.exists() and FunnelCount.objects.exists()
    )


def test_the_seed_is_deterministic_and_its_people_look_real():
    seed_community(residents=2000)
    people = list(User.objects.order_by("phone").values_list("phone", "full_name"))
    for phone, name in people:  # every number: one network's prefix once produced invalid ones
        assert normalize_phone(phone) == phone
        assert len(name.split()) >= 3
    assert User.objects.filter(phone__in=[login.phone for login in DEMO_LOGINS]).count() == 5


def test_growing_the_residents_keeps_the_default_people():
    seed_community(residents=300)
    first = set(User.objects.values_list("phone", flat=True))
    seed_community(residents=900)
    grown = set(User.objects.values_list("phone", flat=True))
    assert first < grown and len(grown) - len(first) == 600


def test_the_seed_refuses_production_settings(settings):
    settings.HOCSO_DEMO_SEED_ALLOWED = False
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_if_empty_only_prints_the_logins_when_data_exists(capsys):
    seed_community(residents=300)
    count = User.objects.count()
    call_command("seed_demo", if_empty=True)
    assert User.objects.count() == count
    assert "0912 000 005" in capsys.readouterr().out
