"""What ``attendance`` holds about people, declared to ``members.personal_data`` through
``members.extensions.on_personal_data`` in AttendanceConfig.ready()."""

from members.personal_data import Erase, Part, names

ATTENDANCE = (
    Part(
        "attendance",
        "attendance.AttendanceMark",
        by=names("member"),
        fields=names("id uuid session member status recorded_at received_at recorded_by device_id"),
        named=names("recorded_by"),
        labels={"session": "session__topic"},
        erase=Erase.KEEP,
        why="Counted in the groups' attendance numbers; they name no one once the person is anonymous.",
    ),
    Part(
        "attendance_recorded",
        "attendance.AttendanceMark",
        by=names("recorded_by"),
        own=False,
        fields=names("id uuid session member status recorded_at received_at device_id"),
        labels={"session": "session__topic"},
        erase=Erase.KEEP,
        why="Other members' attendance, recorded by the person as a leader: it is theirs.",
    ),
    Part(
        "sessions_created",
        "attendance.Session",
        by=names("created_by"),
        own=False,
        fields=names("id uuid group starts_at place topic course lesson created_by created_at"),
        labels={"group": "group__name", "course": "course__title", "lesson": "lesson__title"},
        erase=Erase.KEEP,
        why="The group's meetings: they belong to the group and count in its numbers.",
    ),
)
