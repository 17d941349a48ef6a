"""Checking a groups list: groups by code, each row against the database and the rows before it. A
village named in the file that its commune lacks is created with the group. See
``members.imports.checking``."""

from dataclasses import dataclass, field
from functools import partial

from django.utils.translation import gettext as _

from members.imports import columns as C
from members.imports.checker import Checker, commune_label
from members.imports.plan import Action, Plan, Row
from members.models import Commune, CommunityGroup, Village


@dataclass
class _Parsed:
    """A row's cells, read (``None``: empty or wrong, and the problem is on the row)."""

    commune: str | None
    village: str | None
    code: str | None
    name: str | None


@dataclass
class _Found:
    """What the file's rows name, loaded in bulk."""

    communes: dict[str, Commune]
    villages: dict[tuple[int, str], Village]
    groups: dict[str, CommunityGroup]
    commune_by_id: dict[int, Commune] = field(init=False)
    village_names: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.commune_by_id = {commune.pk: commune for commune in self.communes.values()}
        self.village_names = {village.pk: village.name for village in self.villages.values()}


class GroupsChecker(Checker):
    def run(self) -> Plan:
        parsed = [(row, self._parse_row(row)) for row in self.rows]
        found = self._load([values for _row, values in parsed])
        first_row: dict[str, int] = {}  # group code → the row it was first on
        for row, values in parsed:
            commune = self.check_commune(row, values.commune, found.communes)
            self._check_once_in_file(row, values.code, first_row)
            existing = found.groups.get(values.code)
            self._check_not_moved(row, existing, commune, found)
            if row.problems or commune is None:
                continue
            village = self._village(row, commune, values.village, found)
            self.plan.commune_ids.add(commune.pk)
            if existing is None:
                self._plan_new_group(row, values, commune, village)
            else:
                self._plan_changes(row, existing, values, village, found)
        return self.finish()

    # Steps --------------------------------------------------------------------------------------

    def _parse_row(self, row: Row) -> _Parsed:
        return _Parsed(
            commune=self.parse(row, C.COMMUNE.key, C.parse_commune_code),
            village=self.parse(row, C.VILLAGE.key, partial(C.parse_text, max_length=100)),
            code=self.parse(row, C.GROUP_CODE.key, partial(C.parse_text, max_length=20)),
            name=self.parse(row, C.GROUP_NAME.key, partial(C.parse_text, max_length=150)),
        )

    def _load(self, parsed: list[_Parsed]) -> _Found:
        communes = self.load_communes()
        commune_ids = {communes[values.commune].pk for values in parsed if values.commune in communes}
        return _Found(
            communes,
            villages=self.load_villages(commune_ids),
            groups=self.load_groups({values.code for values in parsed if values.code}),
        )

    def _check_once_in_file(self, row: Row, code: str | None, first_row: dict[str, int]) -> None:
        if code is None:
            return
        if code in first_row:
            self.problem(
                row,
                C.GROUP_CODE.key,
                _("The group code %(code)s is also on row %(row)d: each group once.")
                % {"code": code, "row": first_row[code]},
            )
        else:
            first_row[code] = row.number

    def _check_not_moved(self, row: Row, existing: CommunityGroup | None, commune, found: _Found) -> None:
        if existing is None or commune is None or existing.commune_id == commune.pk:
            return
        self.problem(
            row,
            C.COMMUNE.key,
            _(
                "The group %(code)s already belongs to %(commune)s; an import does not move groups "
                "between communes."
            )
            % {"code": existing.code, "commune": commune_label(found.commune_by_id[existing.commune_id])},
        )

    def _village(self, row: Row, commune: Commune, name: str | None, found: _Found) -> Village | None:
        """The village named, or a new one the commune lacks (saved before the groups, which pick up
        its id then); ``None`` for an empty cell."""
        if not name:
            return None
        key = (commune.pk, C.same_name(name))
        village = found.villages.get(key) or self.plan.new_villages.get(key)
        if village is None:
            village = self.plan.new_villages[key] = Village(commune=commune, name=name)
            row.changes.append(_("New village “%(name)s”.") % {"name": name})
        return village

    def _plan_new_group(self, row: Row, values: _Parsed, commune: Commune, village: Village | None) -> None:
        group = CommunityGroup(code=values.code, name=values.name, commune=commune, village=village)
        self.plan.new_groups.append(group)
        row.action = Action.CREATE
        row.changes.append(_("New group."))

    def _plan_changes(
        self, row: Row, existing: CommunityGroup, values: _Parsed, village: Village | None, found: _Found
    ) -> None:
        changed = set()
        if existing.name != values.name:
            row.changes.append(_("Name: “%(old)s” → “%(new)s”.") % {"old": existing.name, "new": values.name})
            existing.name = values.name
            changed.add("name")
        # An empty village cell leaves the group's village as it is.
        if village is not None and existing.village_id != village.pk:
            old = found.village_names.get(existing.village_id, "—")
            row.changes.append(_("Village: “%(old)s” → “%(new)s”.") % {"old": old, "new": values.village})
            existing.village = village
            changed.add("village")
        if changed:
            self.plan.changed_groups[existing.pk] = (existing, changed)
            row.action = Action.UPDATE
