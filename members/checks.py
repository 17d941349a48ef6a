"""System checks that read the database (``manage.py check --database default``)."""

from django.core.checks import Warning, register


@register("database")
def staff_groups_agree_with_scopes(app_configs=None, databases=None, **kwargs):
    """Each staff role's Django group holds exactly the people with a scope of that role."""
    if not databases:
        return []
    from django.db import DatabaseError

    from members import roles

    try:
        found = roles.disagreements()
    except DatabaseError:  # not migrated yet: nothing to compare
        return []
    return [
        Warning(
            f"Account {person.pk} ({role}): {problem}.",
            hint="Grant or revoke the staff scope in the admin (Community → Staff), which sets the group.",
            obj=person,
            id="members.W001",
        )
        for person, role, problem in found
    ]
