"""The columns of the two import files and how a cell's text becomes a value.

Headers are matched without case, accents or punctuation, so "Mã xã", "MÃ XÃ", "ma_xa" and
"Mã xã (*)" are the same column. Each parser returns a value or raises ``CellError`` with a message for
people; the caller adds the row and the column.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.models import ImportBatch, Membership
from members.phone import normalize_phone

Kind = ImportBatch.Kind


class CellError(ValueError):
    """A cell whose value cannot be used; ``message`` is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str  # the short header, also accepted in files: "so_dien_thoai"
    header: str  # the header of the template files: "Số điện thoại"
    required: bool
    aliases: tuple[str, ...] = ()

    def names(self) -> set[str]:
        return {header_key(name) for name in (self.key, self.header, *self.aliases)}


COMMUNE = Column("ma_xa", "Mã xã", True, ("Mã đơn vị", "Mã xã/phường", "Mã phường", "commune_code"))
VILLAGE = Column("thon_xom", "Thôn/xóm", True, ("Thôn", "Xóm", "Bản", "Thôn/xóm/tổ dân phố", "village"))
GROUP_CODE = Column("ma_to", "Mã tổ", True, ("Mã tổ CNSCĐ", "group_code"))
GROUP_NAME = Column("ten_to", "Tên tổ", True, ("Tên tổ CNSCĐ", "group_name"))
PHONE = Column("so_dien_thoai", "Số điện thoại", True, ("Điện thoại", "SĐT", "Số ĐT", "Di động", "phone"))
FULL_NAME = Column("ho_ten", "Họ và tên", True, ("Họ tên", "Tên", "full_name"))
BIRTH_YEAR = Column("nam_sinh", "Năm sinh", False, ("birth_year",))
ROLE = Column("vai_tro", "Vai trò", False, ("Chức vụ", "Vai trò trong tổ", "role"))
JOINED = Column("ngay_tham_gia", "Ngày tham gia", False, ("Ngày vào tổ", "joined_on"))
CONSENT = Column(
    "dong_y",
    "Đồng ý xử lý dữ liệu",
    True,
    ("Đồng ý", "Đồng ý xử lý dữ liệu cá nhân", "Đã đồng ý", "consent"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    Kind.GROUPS: (
        COMMUNE,
        Column(VILLAGE.key, VILLAGE.header, False, VILLAGE.aliases),
        GROUP_CODE,
        GROUP_NAME,
    ),
    Kind.MEMBERS: (
        PHONE,
        FULL_NAME,
        BIRTH_YEAR,
        COMMUNE,
        VILLAGE,
        Column(GROUP_CODE.key, GROUP_CODE.header, False, GROUP_CODE.aliases),
        ROLE,
        JOINED,
        CONSENT,
    ),
}

_NON_WORD = re.compile(r"[^a-z0-9]+")
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]|\*")
_SPACES = re.compile(r"\s+")


def plain(text: str) -> str:
    """Lower case ASCII words joined by ``_``: "Tổ trưởng" → "to_truong", "Đồng ý" → "dong_y"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return _NON_WORD.sub("_", ascii_only).strip("_")


def header_key(text: str) -> str:
    """A header without its notes: "Năm sinh (không bắt buộc)" → "nam_sinh"."""
    return plain(_BRACKETS.sub(" ", text))


def tidy(text: str) -> str:
    """Spaces collapsed, Unicode composed: how names and village names are compared and stored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def same_name(text: str) -> str:
    """The comparison key of a village name: case and spacing do not make another village."""
    return tidy(text).casefold()


# Parsers -----------------------------------------------------------------------------------------


def parse_phone(text: str) -> str:
    try:
        return normalize_phone(text)
    except ValidationError as error:
        raise CellError(error.messages[0]) from None


def parse_commune_code(text: str) -> str:
    code = text.strip()
    # Excel turns 01477 into the number 1477 unless the column is formatted as text.
    if code.isdigit() and len(code) < 5:
        code = code.zfill(5)
    if not (code.isdigit() and len(code) == 5):
        raise CellError(_("A commune code has 5 digits, for example 01477."))
    return code


def parse_text(text: str, *, max_length: int) -> str:
    value = tidy(text)
    if len(value) > max_length:
        raise CellError(_("This is longer than %(limit)d characters.") % {"limit": max_length})
    return value


def parse_full_name(text: str) -> str:
    name = parse_text(text, max_length=150)
    if len(name.split()) < 2:
        raise CellError(_("Write the full name, family name first, for example Nông Thị Hoa."))
    return name


def parse_birth_year(text: str, *, today: datetime.date) -> int:
    try:
        year = int(text.strip())
    except ValueError:
        raise CellError(_("Write the year of birth with 4 digits, for example 1985.")) from None
    if not 1900 <= year <= today.year:
        raise CellError(_("The year of birth must be between 1900 and %(year)d.") % {"year": today.year})
    return year


_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def parse_date(text: str, *, today: datetime.date) -> datetime.date:
    """Day first, as Vietnamese lists write it (15/03/2026), or ISO (2026-03-15); never month first."""
    value = text.strip()
    for date_format in _DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
        if day > today:
            raise CellError(_("This date is in the future."))
        if day.year < 2000:
            raise CellError(_("This date is before 2000."))
        return day
    raise CellError(_("Write the date as day/month/year, for example 15/03/2026."))


_ROLES = {
    "to_truong": Membership.Role.LEADER,
    "truong": Membership.Role.LEADER,
    "truong_to": Membership.Role.LEADER,
    "leader": Membership.Role.LEADER,
    "to_pho": Membership.Role.DEPUTY,
    "pho": Membership.Role.DEPUTY,
    "pho_to": Membership.Role.DEPUTY,
    "deputy": Membership.Role.DEPUTY,
    "thanh_vien": Membership.Role.MEMBER,
    "tv": Membership.Role.MEMBER,
    "member": Membership.Role.MEMBER,
}


def parse_role(text: str) -> str:
    try:
        return _ROLES[plain(text)]
    except KeyError:
        raise CellError(_("Write Tổ trưởng, Tổ phó or Thành viên.")) from None


_YES = {"co", "x", "yes", "y", "1", "true", "dong_y", "da_dong_y", "co_dong_y", "ok"}
_NO = {"khong", "no", "n", "0", "false", "chua", "chua_dong_y", "khong_dong_y"}


def parse_consent(text: str) -> bool:
    answer = plain(text)
    if answer in _YES:
        return True
    if answer in _NO or not answer:
        return False
    raise CellError(_("Write Có (agreed) or Không (did not agree)."))
