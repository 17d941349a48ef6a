"""Helpers for data migrations that give Django groups their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def ensure_permissions(apps) -> None:
    """Create every model permission now: Django normally creates them after all migrations ran,
    too late for a migration that hands them to a group on a fresh database."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def permissions(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in pairs]


def move_from_members(app_label, models):
    """A RunPython for models moved out of ``members`` that keep their tables (``db_table``): the rows
    stay where they are; what names the models follows them: content types (and with them
    permissions and the admin's history) and the audit trail's ``target_type``."""

    def forwards(apps, schema_editor):
        rename(apps, "members", app_label)

    def backwards(apps, schema_editor):
        rename(apps, app_label, "members")

    def rename(apps, old, new):
        ContentType = apps.get_model("contenttypes", "ContentType")
        AuditEvent = apps.get_model("members", "AuditEvent")
        for model in models:
            if ContentType.objects.filter(app_label=old, model=model).exists():
                # A later migration's permission bookkeeping (ensure_permissions above) may have made the
                # other one already, empty: the one that carries the history wins.
                ContentType.objects.filter(app_label=new, model=model).delete()
                ContentType.objects.filter(app_label=old, model=model).update(app_label=new)
            AuditEvent.objects.filter(target_type=f"{old}.{model}").update(target_type=f"{new}.{model}")

    return migrations.RunPython(forwards, backwards)
