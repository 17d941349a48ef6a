"""Checking a members list: people by mobile number, memberships by (person, group), each row against
the database and the rows before it. See ``members.imports.checking``."""

import datetime
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from members import permissions
from members.imports import columns as C
from members.imports.checker import Checker, commune_label, in_chunks
from members.imports.files import Table
from members.imports.plan import Action, Plan, Row
from members.models import Commune, CommunityGroup, Membership, User, Village

# What an import compares and may change, and what ``bulk_update`` writes back.
_PERSON_FIELDS = (
    "id",
    "phone",
    "full_name",
    "birth_year",
    "village_id",
    "consent_at",
    "consent_recorded_by_id",
    "consent_version",
)


@dataclass
class _Person:
    """What the first row of a mobile number says about the person, to compare later rows with."""

    row: int
    full_name: str
    birth_year: int | None
    village_id: int


@dataclass
class _Found:
    """What the database holds about the places, groups and people a members file names, loaded in
    bulk before any row is checked."""

    communes: dict[str, Commune]
    villages: dict[tuple[int, str], Village]
    groups: dict[str, CommunityGroup]
    people: dict[str, User]
    memberships: dict[int, dict[int, Membership]]  # person id → group id → active membership
    reached: set[int]  # the ids of the people the importing person manages
    leaders: dict[int, tuple[str, str]]  # group id → (phone, full name) of its current leader
    commune_by_id: dict[int, Commune] = field(init=False)
    village_by_id: dict[int, Village] = field(init=False)
    group_codes: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.commune_by_id = {commune.pk: commune for commune in self.communes.values()}
        self.village_by_id = {village.pk: village for village in self.villages.values()}
        self.group_codes = {group.pk: group.code for group in self.groups.values()}


@dataclass
class _Seen:
    """What the rows above said, for the rows below to agree with."""

    people: dict[str, _Person] = field(default_factory=dict)  # phone → its first row
    rows_by_key: dict[tuple[str, str], int] = field(default_factory=dict)  # (phone, group code) → row
    leader_rows: dict[int, tuple[Row, str]] = field(default_factory=dict)  # group id → (row, phone)
    roles: dict[tuple[str, int], str] = field(default_factory=dict)  # (phone, group id) → role


@dataclass
class _Checked:
    """A row, its values, and the places and group they name as found (``None`` where not)."""

    row: Row
    values: dict[str, Any]
    commune: Commune | None
    village: Village | None
    group: CommunityGroup | None


class MembersChecker(Checker):
    """People by mobile number, memberships by (person, group). People are never removed from a
    group and never moved between groups; the villages and groups named must already exist."""

    def __init__(self, table: Table, kind: str, user: User):
        super().__init__(table, kind, user)
        # Translated once: the same few sentences describe thousands of rows.
        self.new_person = _("New person.")
        self.joins = _("Joins group %(code)s as %(role)s.")
        self.role_labels = {role: str(label) for role, label in Membership.Role.choices}
        self.not_yours = _(
            "This person is registered in another commune: only the officer of that commune or a "
            "provincial trainer can change their name or year of birth. Write them as HọcSố has them "
            "(or leave the year empty) to add them to the group."
        )

    def run(self) -> Plan:
        parsed = [(row, self._parse_row(row)) for row in self.rows]
        found = self._load(parsed)
        seen = _Seen()
        checked = [self._check_row(row, values, found, seen) for row, values in parsed]
        self._check_leaders_step_down(found, seen)
        self._plan_rows(checked, found, seen)
        return self.finish()

    # Steps --------------------------------------------------------------------------------------

    def _parse_row(self, row: Row) -> dict[str, Any]:
        values = {
            "phone": self.parse(row, C.PHONE.key, C.parse_phone),
            "full_name": self.parse(row, C.FULL_NAME.key, C.parse_full_name),
            "birth_year": self.parse(row, C.BIRTH_YEAR.key, partial(C.parse_birth_year, today=self.today)),
            "commune": self.parse(row, C.COMMUNE.key, C.parse_commune_code),
            "village": self.parse(row, C.VILLAGE.key, partial(C.parse_text, max_length=100)),
            "group": self.parse(row, C.GROUP_CODE.key, partial(C.parse_text, max_length=20)),
            "role": self.parse(row, C.ROLE.key, C.parse_role),
            "joined_on": self.parse(row, C.JOINED.key, partial(C.parse_date, today=self.today)),
            "consent": self.parse(row, C.CONSENT.key, C.parse_consent),
        }
        if values["consent"] is False:
            self.problem(
                row,
                C.CONSENT.key,
                _(
                    "This person has not agreed to HọcSố keeping their data (Law 91/2025/QH15). Ask "
                    "for their consent and write Có, or remove the row."
                ),
            )
        return values

    def _load(self, parsed: list[tuple[Row, dict[str, Any]]]) -> _Found:
        communes = self.load_communes()
        commune_ids = {communes[v["commune"]].pk for _row, v in parsed if v["commune"] in communes}
        villages = self.load_villages(commune_ids)
        groups = self.load_groups({v["group"] for _row, v in parsed if v["group"]})
        phones = {v["phone"] for _row, v in parsed if v["phone"]}
        people = self._load_people(phones)
        self.plan.numbers_looked_up, self.plan.numbers_found = len(phones), len(people)
        return _Found(
            communes,
            villages,
            groups,
            people,
            memberships=self._load_memberships([person.pk for person in people.values()]),
            reached=self._reached(people),
            leaders=self._load_leaders([group.pk for group in groups.values()]),
        )

    def _check_row(self, row: Row, v: dict[str, Any], found: _Found, seen: _Seen) -> _Checked:
        commune = self.check_commune(row, v["commune"], found.communes)
        village = self._check_village(row, commune, v["village"], found.villages)
        group = self._check_group(row, commune, v["group"], found.groups)
        if v["group"] is None:
            for key, value in ((C.ROLE.key, v["role"]), (C.JOINED.key, v["joined_on"])):
                if value is not None:
                    self.problem(row, key, _("This needs a group: fill in the group code too."))
        if v["phone"] is not None:
            self._check_number(row, v, village, found, seen)
            if group is not None and v["role"] is not None:
                self._check_role(row, v, group, seen)
        return _Checked(row, v, commune, village, group)

    def _check_leaders_step_down(self, found: _Found, seen: _Seen) -> None:
        """A new leader needs the current one to step down in the same file."""
        for group_id, (row, phone) in seen.leader_rows.items():
            current = found.leaders.get(group_id)
            if current is None or current[0] == phone:
                continue
            if seen.roles.get((current[0], group_id), Membership.Role.LEADER) == Membership.Role.LEADER:
                self.problem(
                    row,
                    C.ROLE.key,
                    _(
                        "Group %(code)s already has a leader, %(name)s. Make them Tổ phó or Thành viên in "
                        "this file (or in the admin) first."
                    )
                    % {"code": found.group_codes[group_id], "name": current[1]},
                )

    def _plan_rows(self, checked: list[_Checked], found: _Found, seen: _Seen) -> None:
        """What the rows without a problem create and change."""
        led_in_file: dict[str, set[str]] = {}
        for group_id, (_row, phone) in seen.leader_rows.items():
            led_in_file.setdefault(phone, set()).add(found.group_codes[group_id])
        for item in checked:
            row, v, group = item.row, item.values, item.group
            if row.problems:
                continue
            self._plan_person(row, v, item.commune, item.village, found)
            if group is not None:
                self._plan_membership(row, v, group, found)
                if v["role"] == Membership.Role.LEADER:
                    self._note_other_groups_led(row, v["phone"], group, found, led_in_file)

    def _note_other_groups_led(self, row, phone, group, found: _Found, led_in_file) -> None:
        """A leader of two groups is allowed, and rare enough to be pointed out."""
        person = found.people.get(phone)
        current = found.memberships.get(person.pk, {}) if person else {}
        other = {
            membership.group_code
            for membership in current.values()
            if membership.role == Membership.Role.LEADER and membership.group_id != group.pk
        } | (led_in_file.get(phone, set()) - {group.code})
        if other:
            row.notes.append(
                _("Already leads group %(codes)s; will lead group %(code)s too.")
                % {"codes": ", ".join(sorted(other)), "code": group.code}
            )

    # Loading ------------------------------------------------------------------------------------

    def _load_people(self, phones: set[str]) -> dict[str, User]:
        def load(chunk):
            return (
                User.objects.filter(phone__in=chunk)
                .select_related("village")
                .only(*_PERSON_FIELDS, "village__commune_id")
                .annotate(home_commune_id=F("village__commune_id"))
            )

        return {person.phone: person for person in in_chunks(phones, load)}

    def _load_memberships(self, user_ids: list[int]) -> dict[int, dict[int, Membership]]:
        """Active memberships of the people in the file: person id → group id → membership."""

        def load(chunk):
            return (
                Membership.objects.active()
                .filter(user_id__in=chunk)
                .only("id", "user_id", "group_id", "role", "joined_on")
                .annotate(group_commune_id=F("group__commune_id"), group_code=F("group__code"))
            )

        found: dict[int, dict[int, Membership]] = {}
        for membership in in_chunks(user_ids, load):
            found.setdefault(membership.user_id, {})[membership.group_id] = membership
        return found

    def _load_leaders(self, group_ids: list[int]) -> dict[int, tuple[str, str]]:
        """The current leader of each group in the file: group id → (phone, full name)."""

        def load(chunk):
            return (
                Membership.objects.active()
                .filter(group_id__in=chunk, role=Membership.Role.LEADER)
                .values_list("group_id", "user__phone", "user__full_name")
            )

        return {group_id: (phone, name) for group_id, phone, name in in_chunks(group_ids, load)}

    # Checks -------------------------------------------------------------------------------------

    def _reached(self, people: dict[str, User]) -> set[int]:
        """The ids of the people in the file whom the importing person may manage at all
        (``members.permissions.members_managed_by``), in one query per chunk."""
        ids = [person.pk for person in people.values()]
        managed = permissions.members_managed_by(self.user)

        def load(chunk):
            return managed.filter(pk__in=chunk).values_list("pk", flat=True)

        return set(in_chunks(ids, load))

    def _check_number(self, row, v, village, found: _Found, seen: _Seen) -> None:
        """A mobile number once per group in the file, of someone the importing person reaches, the
        same person on every row that gives it."""
        phone = v["phone"]
        key = (phone, v["group"] or "")
        if key in seen.rows_by_key:
            self.problem(
                row,
                C.PHONE.key,
                _("Rows %(first)d and %(row)d have the same mobile number and group: keep one.")
                % {"first": seen.rows_by_key[key], "row": row.number},
            )
        else:
            seen.rows_by_key[key] = row.number
        existing = found.people.get(phone)
        if existing is not None and existing.pk not in found.reached:
            self.problem(
                row,
                C.PHONE.key,
                _(
                    "This mobile number belongs to someone registered outside your commune. Ask "
                    "a provincial trainer to import this row."
                ),
            )
        elif existing is not None and not permissions.can_change_record_of(self.user, existing):
            self._check_record_kept(row, v, existing)
        if village is not None and v["full_name"] is not None:
            self._check_same_person(row, phone, v, village, seen.people)

    def _check_role(self, row, v, group, seen: _Seen) -> None:
        """One leader per group in the file; the roles the file gives, for ``_check_leaders_step_down``."""
        phone, role = v["phone"], v["role"]
        if role == Membership.Role.LEADER:
            if group.pk in seen.leader_rows and seen.leader_rows[group.pk][1] != phone:
                self.problem(
                    row,
                    C.ROLE.key,
                    _("Row %(first)d already names a leader of group %(code)s: a group has one leader.")
                    % {"first": seen.leader_rows[group.pk][0].number, "code": group.code},
                )
            else:
                seen.leader_rows[group.pk] = (row, phone)
        seen.roles[(phone, group.pk)] = role

    def _check_record_kept(self, row, v, person) -> None:
        """Someone registered in another commune, in one of the officer's groups: the row may add
        them to a group, as they are on record; their name and year of birth are not the officer's
        to change."""
        differences = [
            (C.FULL_NAME.key, v["full_name"] is not None and v["full_name"] != person.full_name),
            (C.BIRTH_YEAR.key, v["birth_year"] is not None and v["birth_year"] != person.birth_year),
        ]
        for key, differs in differences:
            if differs:
                self.problem(row, key, self.not_yours)

    def _check_village(self, row, commune, name, villages) -> Village | None:
        if commune is None or name is None:
            return None
        village = villages.get((commune.pk, C.same_name(name)))
        if village is None:
            self.problem(
                row,
                C.VILLAGE.key,
                _(
                    "%(commune)s has no village called “%(name)s”. Check the spelling, or add the village "
                    "first (with a groups file, or in Community → Villages)."
                )
                % {"commune": commune_label(commune), "name": name},
            )
        return village

    def _check_group(self, row, commune, code, groups) -> CommunityGroup | None:
        if code is None:
            return None
        group = groups.get(code)
        if group is None:
            self.problem(
                row,
                C.GROUP_CODE.key,
                _("No group has the code %(code)s. Import the groups file first.") % {"code": code},
            )
            return None
        if commune is not None and group.commune_id != commune.pk:
            self.problem(
                row,
                C.GROUP_CODE.key,
                _("Group %(code)s belongs to another commune than the one in this row.") % {"code": code},
            )
            return None
        return group

    def _check_same_person(self, row, phone, v, village, seen) -> None:
        first = seen.get(phone)
        if first is None:
            seen[phone] = _Person(row.number, v["full_name"], v["birth_year"], village.pk)
            return
        differences = [
            (C.FULL_NAME.key, first.full_name != v["full_name"]),
            (C.BIRTH_YEAR.key, v["birth_year"] is not None and first.birth_year != v["birth_year"]),
            (C.VILLAGE.key, first.village_id != village.pk),
        ]
        for key, differs in differences:
            if differs:
                self.problem(
                    row,
                    key,
                    _("Row %(first)d gives the same mobile number a different value here: make them agree.")
                    % {"first": first.row},
                )

    # Planning -----------------------------------------------------------------------------------

    def _plan_person(self, row, v, commune, village, found: _Found) -> None:
        phone = v["phone"]
        plan = self.plan
        plan.commune_ids.add(commune.pk)
        if phone in plan.new_people or phone in plan.changed_people:
            return  # the person's first row planned them
        commune_by_id, village_by_id = found.commune_by_id, found.village_by_id
        existing = found.people.get(phone)
        if existing is None:
            plan.new_people[phone] = User(
                phone=phone,
                full_name=v["full_name"],
                birth_year=v["birth_year"],
                village=village,
            )
            row.action = Action.CREATE
            row.changes.append(self.new_person)
            return
        changed = set()
        may_change = permissions.can_change_record_of(self.user, existing)
        if existing.full_name != v["full_name"]:
            row.changes.append(
                _("Full name: “%(old)s” → “%(new)s”.") % {"old": existing.full_name, "new": v["full_name"]}
            )
            existing.full_name = v["full_name"]
            changed.add("full_name")
        if v["birth_year"] is not None and existing.birth_year != v["birth_year"]:
            row.changes.append(
                _("Year of birth: %(old)s → %(new)s.")
                % {"old": existing.birth_year or "—", "new": v["birth_year"]}
            )
            existing.birth_year = v["birth_year"]
            changed.add("birth_year")
        if existing.village_id != village.pk and not may_change:
            # Registered in another commune: they join the group, and stay registered where they are.
            row.notes.append(
                _(
                    "Registered in %(commune)s: stays registered there (only the officer of that commune "
                    "or a provincial trainer can move them)."
                )
                % {"commune": commune_label(commune_by_id[existing.home_commune_id])}
                if existing.home_commune_id in commune_by_id
                else _("Registered in no village: only a provincial trainer can set their village.")
            )
        elif existing.village_id != village.pk:
            old_village = village_by_id.get(existing.village_id)
            row.changes.append(
                _("Village: “%(old)s” → “%(new)s”.")
                % {"old": old_village.name if old_village else "—", "new": village.name}
            )
            if existing.home_commune_id is not None and existing.home_commune_id != commune.pk:
                old_commune = commune_by_id[existing.home_commune_id]
                row.notes.append(
                    _("Moves from %(old)s to %(new)s.")
                    % {"old": commune_label(old_commune), "new": commune_label(commune)}
                )
                plan.moved_people += 1
                plan.commune_ids.add(existing.home_commune_id)
            existing.village = village
            changed.add("village")
        if existing.consent_at is None:
            row.changes.append(_("Consent recorded."))
            changed.update({"consent_at", "consent_recorded_by", "consent_version"})
        if changed:
            plan.changed_people[phone] = (existing, changed)
            row.action = Action.UPDATE

    def _plan_membership(self, row, v, group, found: _Found) -> None:
        phone = v["phone"]
        existing_person = found.people.get(phone)
        current = found.memberships.get(existing_person.pk, {}).get(group.pk) if existing_person else None
        role = v["role"]
        if current is None:
            role = role or Membership.Role.MEMBER
            # A new person is saved before their memberships, which pick up the id then.
            person = existing_person or self.plan.new_people[phone]
            joined_on = v["joined_on"] or self.today
            membership = Membership(group=group, user=person, role=role, joined_on=joined_on)
            self.plan.new_memberships.append(membership)
            row.changes.append(self.joins % {"code": group.code, "role": self.role_labels[role]})
            row.action = Action.CREATE
            return
        changed = set()
        old_role = current.role
        if role is not None and current.role != role:
            row.changes.append(
                _("Role in group %(code)s: %(old)s → %(new)s.")
                % {
                    "code": group.code,
                    "old": Membership.Role(current.role).label,
                    "new": Membership.Role(role).label,
                }
            )
            current.role = role
            changed.add("role")
        if v["joined_on"] is not None and current.joined_on != v["joined_on"]:
            row.changes.append(
                _("Joined group %(code)s on: %(old)s → %(new)s.")
                % {"code": group.code, "old": _day(current.joined_on), "new": _day(v["joined_on"])}
            )
            current.joined_on = v["joined_on"]
            changed.add("joined_on")
        if changed:
            self.plan.changed_memberships[current.pk] = (current, changed, old_role)
            if row.action != Action.CREATE:
                row.action = Action.UPDATE


def _day(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
