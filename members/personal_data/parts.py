"""The vocabulary of the registry: a ``Part`` (a kind of row a person has), how a row links to a
person, and a person's identifying values with the ways to find and scrub them."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from members.phone import format_phone, number_digest


def names(text: str) -> tuple[str, ...]:
    """``"id user group"`` → ``("id", "user", "group")``: field lists that read as one line."""
    return tuple(text.split())


ERASED = "[erased]"
ERASED_PERSON = _("(person whose data was deleted)")
# Keys of audit changes and log data whose values are a person's own details, whatever they hold
# (in records about that person).
PERSONAL_KEYS = frozenset({"full_name", "phone", "email", "birth_year", "holder_name"})


class Erase(StrEnum):
    """What erasing a person does to a part's rows."""

    DELETE = "delete"  # they exist only for the person: gone
    KEEP = "keep"  # they stay, attached to the anonymous tombstone, dates coarsened where declared
    SCRUB = "scrub"  # they stay, their personal values removed by the part's scrubber


@dataclass(frozen=True)
class Part:
    key: str  # the key in the export
    model: str  # "app_label.ModelName"; a part of an app that is not installed is skipped
    fields: tuple[str, ...]  # exported
    erase: Erase
    why: str  # why the erasure does what it does to these rows
    by: tuple[str, ...] = ()  # links to the person: field names, "type/id" pairs, "id" for the person
    search: Callable[[Any], Q] | None = None  # rows no link finds
    own: bool = True  # rows about the person (not merely recorded by them): audit events about them count
    named: tuple[str, ...] = ()  # links to other people exported with the person's name (witnesses)
    labels: dict[str, str] = field(default_factory=dict)  # field → a readable path ("group__name")
    coarsen: tuple[str, ...] = ()  # dates kept only to the month after an erasure (KEEP and SCRUB)
    # For parts added by other apps: what they leave out of the export and which links they do not
    # follow (field → reason), and how they scrub their rows: ``scrub(rows, values, acting_user)``.
    not_exported: dict[str, Promise] = field(default_factory=dict)
    not_followed: dict[str, str] = field(default_factory=dict)
    scrub: Callable | None = None

    def model_class(self) -> type[models.Model] | None:
        """The model, or None when its app is not installed (django-axes, say)."""
        try:
            return apps.get_model(self.model)
        except LookupError:
            return None

    def condition(self, person) -> Q:
        model = self.model_class()
        condition = Q(pk__in=[])
        for link in self.by:
            condition |= link_condition(model, link, person)
        if self.search is not None:
            condition |= self.search(person)
        return condition

    def rows(self, person) -> QuerySet:
        model = self.model_class()
        return model._default_manager.filter(self.condition(person))


# Finding links -----------------------------------------------------------------------------------


def _user_model():
    return apps.get_model("members", "User")


def generic_pairs(model: type[models.Model]) -> list[tuple[str, str]]:
    """Pairs of fields that can point at any row of any model, hence at a person: a generic foreign
    key, an ``X_type``/``X_id`` pair (the audit log's target), or a content type with an object id."""
    pairs = [(f.ct_field, f.fk_field) for f in model._meta.private_fields if isinstance(f, GenericForeignKey)]
    names = {f.name: f for f in model._meta.concrete_fields}
    for name in names:
        if name.endswith("_type") and f"{name[:-5]}_id" in names:
            pairs.append((name, f"{name[:-5]}_id"))
        field_ = names[name]
        if getattr(field_, "related_model", None) is ContentType:
            stem = name.removesuffix("content_type")
            object_id = f"{stem}object_id"
            if object_id in names:
                pairs.append((name, object_id))
    return sorted(set(pairs))


def user_links(model: type[models.Model]) -> list[str]:
    """The fields of ``model`` itself (not inherited) that point at the user model."""
    user = _user_model()
    return [
        f.name
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many)
        and not f.auto_created
        and getattr(f, "related_model", None) is user
        and f.model is model
    ]


NUMBER_FIELD = re.compile(r"(^|_)(phone|username|mobile|msisdn)($|_)")


def number_fields(model: type[models.Model]) -> list[str]:
    """Text fields that hold a mobile number by their name (django-axes keeps the number typed at
    sign-in in ``username``)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and NUMBER_FIELD.search(f.name)
    ]


def link_condition(model: type[models.Model], link: str, person) -> Q:
    if link == "id":
        return Q(pk=person.pk)
    if "/" in link:
        type_field, id_field = link.split("/")
        kind = model._meta.get_field(type_field)
        target = (
            ContentType.objects.get_for_model(person, for_concrete_model=False)
            if getattr(kind, "related_model", None) is ContentType
            else person._meta.label_lower
        )
        identifier = model._meta.get_field(id_field).to_python(person.pk)
        return Q(**{type_field: target, id_field: identifier})
    if link in number_fields(model) and link not in user_links(model):
        return Q(**{f"{link}__in": PersonalValues.of(person).phones})
    return Q(**{link: person})


# A person's values, to find and to scrub them ------------------------------------------------------


@dataclass(frozen=True)
class PersonalValues:
    """The details that identify a person, with their number in every usual spelling."""

    full_name: str
    phones: tuple[str, ...]
    email: str
    birth_year: int | None

    @classmethod
    def of(cls, person) -> "PersonalValues":
        return cls(person.full_name, phone_spellings(person.phone), person.email, person.birth_year)

    @property
    def digest(self) -> str:
        """The keyed digest that stands for the number in records of lookups by number."""
        return number_digest(self.phones[0]) if self.phones else ""

    def texts(self) -> list[str]:
        """What to look for in text, longest first (a number before its own tail)."""
        values = (self.full_name, self.email, *self.phones, self.digest)
        return sorted({t for t in values if t}, key=len, reverse=True)

    def scrub_text(self, text: str) -> str:
        for value in self.texts():
            text = re.sub(re.escape(value), ERASED, text, flags=re.IGNORECASE)
        return text

    def scrub(self, value: Any, *, about_them: bool = False, key: str | None = None) -> Any:
        """A copy of a JSON value with this person's details replaced by ``ERASED``. In a record
        about them (``about_them``), whatever a personal key (``birth_year``…) holds goes too; in
        a record of what they did to someone else, those values are the other person's and stay."""
        if about_them and key in PERSONAL_KEYS and value not in (None, "", []):
            return [ERASED for _item in value] if isinstance(value, list) else ERASED
        if isinstance(value, dict):
            return {k: self.scrub(v, about_them=about_them, key=k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub(item, about_them=about_them, key=key) for item in value]
        if isinstance(value, str):
            return self.scrub_text(value)
        return value

    def found_in(self, text: str) -> bool:
        """Whether ``text`` (a file's rows, say) names this person: their name, e-mail, or their
        number however it is spaced or punctuated."""
        folded = text.casefold()
        if any(value.casefold() in folded for value in (self.full_name, self.email) if value):
            return True
        national = self.phones[-1] if self.phones else ""
        return bool(national) and any(national in re.sub(r"\D", "", line) for line in text.splitlines())


def phone_spellings(e164: str) -> tuple[str, ...]:
    """``+84912345678`` → the ways people and programs write it, the bare national digits last."""
    if not e164.startswith("+84") or not e164[3:].isdigit():
        return (e164,)
    national = e164[3:]
    spaced = format_phone(e164)
    return (e164, f"84{national}", f"0{national}", spaced, spaced.replace(" ", "."), national)


def iter_texts(value: Any) -> Iterable[str]:
    """Every string inside a JSON value (for tests and scrubbing checks)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from iter_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_texts(item)
    elif value is not None:
        yield str(value)
