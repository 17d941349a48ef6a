"""An import's plan: what each row of a list would create, change or leave alone, and every problem,
named by its row and column (``Action``, ``Problem``, ``Row``, ``Plan``); kept with the upload between
the preview and the commit (``store`` / ``restore``). ``members.imports.checking`` makes it.
"""

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from members.imports.files import Table
from members.models import CommunityGroup, Membership, User, Village


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # the header as the file writes it
    message: str

    def __str__(self) -> str:
        return _("Row %(row)d, column “%(column)s”: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Row:
    number: int
    values: dict[str, str]
    action: Action = Action.UNCHANGED
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # column key → why the cell reads as empty (``xlsx.MERGED``, ``xlsx.FORMULA``)
    marks: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    kind: str
    table: Table
    rows: list[Row]
    # What the commit writes; filled as rows are checked, used only when no row has a problem.
    new_villages: dict[tuple[int, str], Village] = field(default_factory=dict)
    new_groups: list[CommunityGroup] = field(default_factory=list)
    changed_groups: dict[int, tuple[CommunityGroup, set[str]]] = field(default_factory=dict)
    new_people: dict[str, User] = field(default_factory=dict)
    changed_people: dict[str, tuple[User, set[str]]] = field(default_factory=dict)
    new_memberships: list[Membership] = field(default_factory=list)
    # membership id → (membership with its new values, fields changed, role before)
    changed_memberships: dict[int, tuple[Membership, set[str], str]] = field(default_factory=dict)
    moved_people: int = 0
    commune_ids: set[int] = field(default_factory=set)
    # Mobile numbers of the file looked up, and how many have an account (the audit counts them).
    numbers_looked_up: int = 0
    numbers_found: int = 0
    # Set on a plan read back from what a preview stored (``restore``): it can be shown, not committed.
    kept_counts: dict[str, int] | None = None

    @property
    def problems(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.problems]

    @property
    def ok(self) -> bool:
        return not any(row.problems for row in self.rows)

    def counts(self) -> dict[str, int]:
        """Counts only, never names or numbers: they go into the audit trail."""
        if self.kept_counts is not None:
            return dict(self.kept_counts)
        by_action = {action.value: 0 for action in Action}
        for row in self.rows:
            by_action[row.action.value] += 1
        return {
            "rows": len(self.rows),
            **by_action,
            "problems": sum(len(row.problems) for row in self.rows),
            "villages_created": len(self.new_villages),
            "groups_created": len(self.new_groups),
            "groups_updated": len(self.changed_groups),
            "people_created": len(self.new_people),
            "people_updated": len(self.changed_people),
            "people_moved": self.moved_people,
            "memberships_created": len(self.new_memberships),
            "memberships_updated": len(self.changed_memberships),
        }


# Stored plans ---------------------------------------------------------------------------------------

STORED_VERSION = 1


def store(plan: Plan) -> dict[str, Any]:
    """What a preview shows of ``plan``, as JSON for ``ImportBatch.plan``: rows as lists, the values
    in the order of the table's columns. 20,000 rows take a few megabytes and a fraction of a second
    to write or read back."""
    keys = list(plan.table.positions)
    table = plan.table
    return {
        "version": STORED_VERSION,
        "kind": plan.kind,
        "table": {
            "header_row": table.header_row,
            "headers": table.headers,
            "positions": table.positions,
            "ignored_headers": table.ignored_headers,
        },
        "counts": plan.counts(),
        "ok": plan.ok,
        "digest": digest(plan),
        "rows": [
            [
                row.number,
                [row.values.get(key, "") for key in keys],
                row.action.value,
                row.changes,
                row.notes,
                [[problem.column, problem.message] for problem in row.problems],
            ]
            for row in plan.rows
        ],
    }


def restore(data: dict[str, Any]) -> Plan | None:
    """The plan ``store`` kept, to show; ``None`` if it was kept by another version of this code."""
    if not data or data.get("version") != STORED_VERSION:
        return None
    table = Table(**data["table"])
    keys = list(table.positions)
    rows = [
        Row(
            number,
            dict(zip(keys, values, strict=True)),
            Action(action),
            changes,
            notes,
            [Problem(number, column, message) for column, message in problems],
        )
        for number, values, action, changes, notes, problems in data["rows"]
    ]
    return Plan(data["kind"], table, rows, kept_counts=data["counts"])


def digest(plan: Plan) -> str:
    """A fingerprint of what the plan would do, row by row: the commit compares it with the one the
    preview showed, so that nothing is imported that the importing person has not seen."""
    hashed = hashlib.sha256()
    for row in plan.rows:
        hashed.update(repr((row.number, row.action.value, row.changes, row.notes, row.problems)).encode())
    return hashed.hexdigest()
