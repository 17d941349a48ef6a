"""What every import checker shares: the rows read cell by cell (a merged cell or an unsaved formula is
named, never read as empty), problems named by row and column, and the communes, villages and groups
a file names, loaded in bulk. ``groups_check`` and ``members_check`` build on it."""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from members import permissions
from members.imports import columns as C
from members.imports.files import Table
from members.imports.plan import Action, Plan, Problem, Row
from members.imports.xlsx import FORMULA, MARKS, MERGED
from members.models import Commune, CommunityGroup, User, Village

# Values per IN (...) list: well under SQLite's 32,766 and PostgreSQL's 65,535 query parameters, so
# that a province-wide file still costs a handful of queries.
CHUNK = 10_000


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def in_chunks(values: Iterable[Any], load: Callable[[list[Any]], Iterable[Any]]) -> list[Any]:
    return [item for chunk in chunks(values) for item in load(chunk)]


def commune_label(commune: Commune) -> str:
    return f"{commune.display_name} ({commune.code})"


class Checker:
    def __init__(self, table: Table, kind: str, user: User):
        self.table = table
        self.kind = kind
        self.user = user
        # column key → the column as this kind of file has it (a group code is optional in a members file)
        self.columns = {column.key: column for column in C.COLUMNS[kind]}
        self.today = timezone.localdate()
        self.rows = [self._row(number, cells) for number, cells in table.rows]
        self.plan = Plan(kind, table, self.rows)
        self.mark_messages = {
            MERGED: _(
                "This cell is part of merged cells, so it reads as empty. Unmerge the cells (Home → Merge "
                "& Center) and fill in every row."
            ),
            FORMULA: _(
                "This cell holds a formula whose value was never saved. Open the file in Excel and save it "
                "again, or copy the column and paste it as values."
            ),
        }

    def _row(self, number: int, cells: list[str]) -> Row:
        values, marks = {}, {}
        for key, index in self.table.positions.items():
            text = cells[index] if index < len(cells) else ""
            if text in MARKS:
                marks[key], text = text, ""
            values[key] = text
        return Row(number, values, marks=marks)

    def problem(self, row: Row, key: str, message: str) -> None:
        row.problems.append(Problem(row.number, self.table.header_of(key), message))

    def parse(self, row: Row, key: str, parser: Callable[[str], Any]) -> Any:
        """The value of the cell in column ``key``; ``None`` when it is empty (a problem if the column
        is required) or wrong (a problem)."""
        text = row.values.get(key, "")
        if key in row.marks:
            # Never read as a blank: a year of birth given by a formula must not vanish silently.
            self.problem(row, key, self.mark_messages[row.marks[key]])
            return None
        if not text.strip():
            if self.columns[key].required:
                self.problem(row, key, _("This cell is empty; it is required."))
            return None
        try:
            return parser(text)
        except C.CellError as error:
            self.problem(row, key, error.message)
            return None

    def run(self) -> Plan:
        raise NotImplementedError

    # Loading ------------------------------------------------------------------------------------

    def load_communes(self) -> dict[str, Commune]:
        return {commune.code: commune for commune in Commune.objects.all()}

    def load_villages(self, commune_ids: set[int]) -> dict[tuple[int, str], Village]:
        villages = Village.objects.filter(commune_id__in=commune_ids).only("id", "name", "commune_id")
        return {(village.commune_id, C.same_name(village.name)): village for village in villages}

    def load_groups(self, codes: set[str]) -> dict[str, CommunityGroup]:
        def load(chunk):
            return CommunityGroup.objects.filter(code__in=chunk).only(
                "id", "code", "name", "commune_id", "village_id"
            )

        return {group.code: group for group in in_chunks(codes, load)}

    def check_commune(self, row: Row, code: str | None, communes: dict[str, Commune]) -> Commune | None:
        if code is None:
            return None
        commune = communes.get(code)
        if commune is None:
            self.problem(
                row,
                C.COMMUNE.key,
                _("No commune has the code %(code)s. The 56 codes are listed in Community → Communes.")
                % {"code": code},
            )
            return None
        if not permissions.can_manage_commune(self.user, commune.pk):
            self.problem(
                row,
                C.COMMUNE.key,
                _("%(commune)s is outside your commune: you can import rows of your own commune only.")
                % {"commune": commune_label(commune)},
            )
            return None
        return commune

    def finish(self) -> Plan:
        position = {header: index for index, header in enumerate(self.table.headers)}
        for row in self.rows:
            if row.problems:
                row.action = Action.ERROR
                row.problems.sort(key=lambda problem: position.get(problem.column, 0))
        return self.plan
