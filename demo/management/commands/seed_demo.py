import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from attendance.models import AttendanceMark, Session
from certificates.models import Certificate
from demo.seed.attendance import seed_attendance
from demo.seed.community import DEMO_LOGINS, GROUP_MEMBERS, community_counts, seed_community
from demo.seed.courses import seed_courses
from demo.seed.issuer import seed_issuer
from demo.seed.learning import seed_learning
from learning.models import CompetencyAward, Enrolment, LessonProgress, QuizAttempt
from members.models import CommunityGroup
from members.phone import format_phone
from stats import services as stats_services

ROLE_LABELS = {
    "resident": "Người dân / Resident",
    "group_leader": "Tổ trưởng / Group leader",
    "commune_officer": "Cán bộ xã / Commune officer",
    "provincial_trainer": "Giảng viên tỉnh / Provincial trainer",
    "admin": "Quản trị / Admin",
}


def history_counts() -> dict[str, int]:
    return {
        "enrolments": Enrolment.objects.count(),
        "lessons done": LessonProgress.objects.count(),
        "quiz attempts": QuizAttempt.objects.count(),
        "competency awards": CompetencyAward.objects.count(),
        "certificates": Certificate.objects.count(),
        "sessions": Session.objects.count(),
        "attendance marks": AttendanceMark.objects.count(),
    }


class Command(BaseCommand):
    help = "Load the demo data: villages, groups, people and courses of Cao Bằng; print demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--residents",
            type=int,
            default=GROUP_MEMBERS,
            help=f"How many residents (default {GROUP_MEMBERS}; 400000 for benchmarks).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing but print the logins if groups exist."
        )
        parser.add_argument("--logins-json", type=Path, help="Also write the demo logins to this JSON file.")

    def handle(self, *args, residents, seed, if_empty, logins_json, **options):
        if not settings.HOCSO_DEMO_SEED_ALLOWED:
            raise CommandError("seed_demo refuses to run with production settings.")
        if residents < 0:
            raise CommandError("--residents must be zero or more.")
        if if_empty and CommunityGroup.objects.exists():
            self.stdout.write("Demo data already loaded.")
        else:
            before = (community_counts(), history_counts())
            self._step("people and groups", lambda: seed_community(residents=residents, seed=seed))
            self._step("courses", seed_courses)
            self._step("the certificate issuer", seed_issuer)
            self._step("a year of learning and certificates", lambda: seed_learning(seed=seed))
            self._step("a year of group meetings and attendance", lambda: seed_attendance(seed=seed))
            counts = community_counts()
            history = history_counts()
            # The statistics are filled at once, so that their pages tell the story from the start. A
            # run that added nothing leaves them alone (only communes never computed are computed).
            grew = before != (counts, history)
            self._step(
                "the statistics' rollups",
                stats_services.refresh_all if grew else stats_services.refresh_changed,
            )
            counts = counts.as_dict()
            self.stdout.write(
                "Rows: " + ", ".join(f"{name} {value:,}" for name, value in counts.items()) + "."
            )
            self.stdout.write(
                "History: " + ", ".join(f"{name} {value:,}" for name, value in history.items()) + "."
            )
        self._print_logins(logins_json)

    def _step(self, label: str, work) -> None:
        started = time.perf_counter()
        work()
        self.stdout.write(f"Loaded {label} in {time.perf_counter() - started:.1f} s.")

    def _print_logins(self, logins_json: Path | None) -> None:
        password = DEMO_LOGINS[0].password
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (mật khẩu / password for all: {password})"))
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {ROLE_LABELS[login.role]:<38} {format_phone(login.phone):<14} {login.name}")
        self.stdout.write("")
        if logins_json:
            data = [
                {
                    "role": login.role,
                    "phone": format_phone(login.phone).replace(" ", ""),
                    "password": login.password,
                    "name": login.name,
                }
                for login in DEMO_LOGINS
            ]
            logins_json.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            self.stdout.write(f"Logins written to {logins_json}")
