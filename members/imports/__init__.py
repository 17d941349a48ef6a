"""Importing the province's lists of groups and members (CSV or XLSX) in the Wagtail admin.

Two kinds of file, with Vietnamese headers (or the short ones in brackets; case and accents do not
matter, and columns not listed here are ignored):

- groups: Mã xã (ma_xa), Thôn/xóm (thon_xom, optional), Mã tổ (ma_to), Tên tổ (ten_to).
  A group is found by its code; a village its commune does not have yet is created.
- members: Số điện thoại (so_dien_thoai), Họ và tên (ho_ten), Năm sinh (nam_sinh, optional),
  Mã xã (ma_xa), Thôn/xóm (thon_xom), Mã tổ (ma_to, optional), Vai trò (vai_tro, optional: Tổ trưởng,
  Tổ phó, Thành viên), Ngày tham gia (ngay_tham_gia, optional, day/month/year), Đồng ý xử lý dữ liệu
  (dong_y: Có/Không). A person is found by their mobile number, a membership by (person, group);
  villages and groups must exist already.

Rules that follow from the law and from the people who use it:

- Consent (Law 91/2025/QH15, which replaced Decree 13/2023): every row must say the person agreed.
  A row without consent is a problem, not a skipped row, so that nobody's data is kept by accident
  and nobody is left out silently. The importing officer is recorded as the witness of the consent.
- An import adds and updates; it never ends a membership and never deletes anyone. A person whose
  village moves to another commune is an update that the preview points out.
- All or nothing: one problem anywhere and nothing is written. Importing the same file twice
  changes nothing the second time.
- A commune officer imports rows of their commune (``members.permissions.can_manage_commune``),
  about people they reach (``members.permissions.members_managed_by``). Someone registered in
  another commune who joined one of the officer's groups may be added to the officer's groups, as
  HọcSố has them: a different name or year of birth is a problem on that row, and their village is
  left as it is (a note says so). Renaming or moving them is for their own commune's officer or a
  trainer (``members.permissions.can_change_record_of``).
- Imported people get no password. They sign in once someone sets one for them (an administrator, in
  Settings → Users); sign-up refuses a number that already has an account.

``check_file`` reads a file and checks it (the dry run); ``members.services.imports`` keeps the rows of
an upload between the preview and the commit, keeps what the preview found (``import_batch_preview``:
the file is checked once, and one audit event counts the numbers it looked up), and commits after
checking again inside the transaction (``check_batch``), importing nothing the preview did not show.
"""

from django.utils.translation import gettext as _

from members.imports.checking import build_plan
from members.imports.files import read_kept, read_table, read_upload
from members.imports.limits import MAX_BYTES, MAX_ROWS, FileProblem
from members.imports.plan import Action, Plan, Problem, Row
from members.models import ImportBatch, User

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "Action",
    "FileProblem",
    "Plan",
    "Problem",
    "Row",
    "check_batch",
    "check_file",
    "read_upload",
]


def check_file(*, content: bytes, file_name: str, kind: str, user: User) -> Plan:
    """What importing this file would do, row by row, as ``user`` may import it. Writes nothing.

    Raises ``FileProblem`` when the file as a whole cannot be read as a list of ``kind``.
    """
    table = read_table(content=content, file_name=file_name, kind=kind)
    return build_plan(table=table, kind=kind, user=user)


def check_batch(*, batch: ImportBatch, user: User) -> Plan:
    """What importing the rows kept of an upload would do now. Raises ``FileProblem`` when the rows
    are no longer kept (or were never readable)."""
    if not batch.has_content:
        raise FileProblem(_("This file is no longer kept. Upload it again."))
    table = read_kept(content=bytes(batch.content), kind=batch.kind)
    return build_plan(table=table, kind=batch.kind, user=user)
