"""Names of the Django groups that give staff their Wagtail admin permissions.

A StaffScope says *where* a person works; membership of one of these groups says *what* the admin
lets them do. ``services.staff_scope_grant`` keeps the two in step.
"""

from members.models import StaffScope

TRAINERS_GROUP = "Giảng viên cấp tỉnh"
OFFICERS_GROUP = "Cán bộ xã"

GROUP_FOR_ROLE = {
    StaffScope.Role.PROVINCIAL_TRAINER: TRAINERS_GROUP,
    StaffScope.Role.COMMUNE_OFFICER: OFFICERS_GROUP,
}
