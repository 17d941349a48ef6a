"""Keeping the background work going: stuck tasks reclaimed, periodic jobs scheduled, tables that
grow without bound purged. Above every other app (it purges their rows), below none."""
