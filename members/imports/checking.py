"""Checking a list against the database: what each row would create, change or leave alone, and every
problem, named by its row and column. Reads only, in a fixed number of queries whatever the file's
length: the communes, villages, groups, people and memberships a file names are loaded in bulk by
their natural keys (commune code, village name in its commune, group code, normalised mobile number).
"""

from members.imports.files import Table
from members.imports.groups_check import GroupsChecker
from members.imports.members_check import MembersChecker
from members.imports.plan import Plan
from members.models import ImportBatch, User


def build_plan(*, table: Table, kind: str, user: User) -> Plan:
    """What importing ``table`` as ``user`` would do: rows of the communes they manage, about the
    people they reach (``members.permissions.can_import`` says which rule decides what)."""
    checker = GroupsChecker if kind == ImportBatch.Kind.GROUPS else MembersChecker
    return checker(table, kind, user).run()
