"""The export: everything the registry finds about a person, as JSON-ready data."""

import datetime
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import consent, throttling
from members.personal_data.parts import ERASED_PERSON, Part
from members.personal_data.registry import not_exported, parts

FORMAT = "hocso-personal-data/1"
EXPORT_REFUSED = _("You asked for your data several times in a minute. Please wait a minute and try again.")


class LocalTimeEncoder(DjangoJSONEncoder):
    """Times as people in Vietnam read them (+07:00), as everywhere else in HọcSố, not in UTC."""

    def default(self, o):
        if isinstance(o, datetime.datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


def _moment(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def export_allowed(person) -> bool:
    """Count one export by ``person``; False once they asked too often (an export reads every part of
    the registry: a few a minute per person is plenty)."""
    return throttling.hit("personal_data_export", str(person.pk))


def _columns(part: Part, model) -> tuple[list[str], list[str]]:
    """The value columns of a part's exported fields, and its many-to-many fields."""
    columns, many = [], []
    for name in part.fields:
        field_ = model._meta.get_field(name)
        if field_.many_to_many:
            many.append(name)
        else:
            columns.append(name)
    return columns, many


def _linked_names(part: Part) -> dict[str, str]:
    paths = dict(part.labels)
    for name in part.named:
        paths[name] = f"{name}__full_name"
    return paths


def export_rows(part: Part, person) -> list[dict[str, Any]]:
    """A part's rows for the person, as JSON-ready dicts: foreign keys as ids, or ``{"id", "label"}``
    where a readable label is declared. One query, plus one per many-to-many field."""
    model = part.model_class()
    columns, many = _columns(part, model)
    labels = _linked_names(part)
    rows = part.rows(person).order_by("pk")
    values = list(rows.values("pk", *columns, *labels.values()))
    result = []
    for value in values:
        row = {name: value[name] for name in columns}
        for name, path in labels.items():
            if row.get(name) is not None:
                label = value[path]
                if name in part.named and not label:
                    label = str(ERASED_PERSON)
                row[name] = {"id": row[name], "label": label}
        result.append((value["pk"], row))
    for name in many:
        related = model._meta.get_field(name).related_model
        through = getattr(model, name).through
        source = f"{model._meta.model_name}_id"
        target = f"{related._meta.model_name}_id"
        linked: dict[Any, list] = {}
        for owner, item in through.objects.filter(**{f"{source}__in": [pk for pk, _r in result]}).values_list(
            source, target
        ):
            linked.setdefault(owner, []).append(item)
        wanted = {item for items in linked.values() for item in items}
        labels_of = {obj.pk: str(obj) for obj in related.objects.filter(pk__in=wanted)}
        for pk, row in result:
            row[name] = [
                {"id": item, "label": labels_of.get(item, "")} for item in sorted(linked.get(pk, []))
            ]
    return [json.loads(json.dumps(row, cls=LocalTimeEncoder)) for _pk, row in result]


def consent_summary(person) -> dict[str, Any]:
    text = consent.text_for(person.consent_version)
    witness = person.consent_recorded_by
    return {
        "given_at": _moment(person.consent_at),
        "version": person.consent_version or None,
        "text": str(text.text) if text else None,
        "agreed": str(text.for_the_person) if text else None,
        "witnessed_by": {"id": witness.pk, "name": str(witness)} if witness else None,
    }


def export_person(person) -> dict[str, Any]:
    """Everything HọcSố holds about ``person``, by part, as JSON-ready data."""
    data: dict[str, Any] = {"format": FORMAT, "exported_at": _moment(timezone.now()), "person": person.pk}
    for item in parts():
        rows = export_rows(item, person)
        data[item.key] = (rows[0] if rows else None) if item.key == "profile" else rows
    data["consent"] = consent_summary(person)
    data["not_exported"] = not_exported()
    return data
