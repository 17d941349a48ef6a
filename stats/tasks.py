from django_tasks import task

from stats import services


@task(queue_name="statistics")
def refresh_changed_communes() -> int:
    """Count what changed since the last refresh (by the shares of the people and sessions that
    changed; communes noted without saying whose facts, whole); return how many communes changed."""
    return services.refresh_changed().communes


@task(queue_name="statistics")
def refresh_communes(commune_ids: list[int] | None = None) -> int:
    """Recompute the numbers of these communes (all of them: None), whatever changed."""
    report = services.refresh_all() if commune_ids is None else services.refresh_communes(commune_ids)
    return report.communes
