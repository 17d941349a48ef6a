"""Helpers for data migrations that give Django groups their permissions."""

from django.contrib.auth.management import create_permissions


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
