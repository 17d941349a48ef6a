"""Reads about attendance."""

from members.models import AttendanceMark


def current_statuses(session_ids) -> dict[tuple[int, int], AttendanceMark]:
    """The status that counts for each (session, member): latest recorded wins, ties to the greater UUID.

    The rule depends only on the marks themselves, never on the order they arrived in.
    """
    current: dict[tuple[int, int], AttendanceMark] = {}
    for mark in AttendanceMark.objects.filter(session_id__in=session_ids).only(
        "uuid", "session_id", "member_id", "status", "recorded_at"
    ):
        key = (mark.session_id, mark.member_id)
        best = current.get(key)
        if best is None or (mark.recorded_at, str(mark.uuid)) > (best.recorded_at, str(best.uuid)):
            current[key] = mark
    return current
