"""The personal-data registry covers every model and field that can hold personal data.

The walk goes through every model of every installed app. A model is linked to people when it has a
foreign key (or one-to-one, many-to-many) to the user model, a generic pair that can point at a
person (a content type or ``X_type`` with an object id), or a field named for a mobile number
(``phone``, ``username``: django-axes keeps the number typed at sign-in). Every such link must be
followed by a part of the registry or declared not followed, with the reason; every field of a
linked model must be exported or declared left out, with the reason. A model or a field added later
(group invitations, reset codes, sign-in records…) fails here until it is declared.
"""

import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from members import personal_data as registry
from members.personal_data import Erase
from members.personal_data.export import LocalTimeEncoder
from tests import factories

User = get_user_model()


def linked_models() -> dict[type, list[str]]:
    """Every model with a link to people, and its links (fields, "type/id" pairs, number fields)."""
    found = {}
    for model in apps.get_models():
        links = registry.user_links(model)
        links += [f"{kind}/{ident}" for kind, ident in registry.generic_pairs(model)]
        links += [name for name in registry.number_fields(model) if name not in links]
        if links:
            found[model] = links
    return found


def test_the_walk_finds_the_known_kinds_of_link():
    """The walk itself can fail: it must see a foreign key, the audit log's generic target, Wagtail's
    content-type pairs, and a number kept in a text field."""
    found = {model._meta.label: links for model, links in linked_models().items()}
    assert (
        "member" in found["attendance.AttendanceMark"] and "recorded_by" in found["attendance.AttendanceMark"]
    )
    assert "target_type/target_id" in found["members.AuditEvent"]
    assert "content_type/object_id" in found["wagtailcore.ModelLogEntry"]
    assert "content_type/object_id" in found["admin.LogEntry"]
    assert "phone" in found["members.User"]
    assert "holder" in found["certificates.Certificate"]
    assert "owner" in found["wagtailcore.Page"] and "courses.CoursePage" not in found  # links live on Page


def test_every_link_to_a_person_is_followed_or_declared_not_followed():
    undeclared = [
        f"{model._meta.label}.{link}"
        for model, links in linked_models().items()
        for link in links
        if link not in registry.declared_links(model._meta.label)
    ]
    assert undeclared == [], "declare these links in members/personal_data/registry.py"


def _must_declare_fields(model, links) -> bool:
    """Fields matter where rows can be a person's: a direct link, a number, or a followed pair."""
    label = model._meta.label
    followed = {link for part in registry.parts() if part.model == label for link in part.by}
    return model is User or any("/" not in link or link in followed for link in links)


def test_every_field_of_a_model_holding_personal_data_is_exported_or_left_out_with_a_reason():
    missing = []
    for model, links in linked_models().items():
        if not _must_declare_fields(model, links):
            continue
        names = [f.name for f in model._meta.concrete_fields] + [
            f.name for f in model._meta.local_many_to_many
        ]
        declared = registry.declared_fields(model._meta.label)
        missing += [f"{model._meta.label}.{name}" for name in names if name not in declared]
    assert missing == [], "export these fields or give the reason they are left out"


def test_the_registry_names_only_fields_that_exist():
    for part in registry.parts():
        model = part.model_class()
        for name in (*part.fields, *part.coarsen, *part.named, *part.labels, *part.not_exported):
            model._meta.get_field(name)
        for link in part.by:
            if link != "id":
                for name in link.split("/"):
                    model._meta.get_field(name)
    for label, fields in registry.NOT_EXPORTED.items():
        if apps.is_installed(label.split(".")[0]) or label.split(".")[0] in {
            a.label for a in apps.get_app_configs()
        }:
            model = apps.get_model(label)
            for name in fields:
                model._meta.get_field(name)


def test_every_part_says_what_an_erasure_does_and_why():
    from members.services.privacy import SCRUBBERS

    for part in registry.parts():
        assert part.why.strip(), part.key
        if part.erase is Erase.SCRUB:
            assert part.scrub is not None or part.key in SCRUBBERS, part.key
    keys = [part.key for part in registry.parts()]
    assert len(keys) == len(set(keys))


def test_nothing_exported_is_also_declared_left_out():
    for part in registry.parts():
        left_out = set(registry.NOT_EXPORTED.get(part.model, {})) | set(part.not_exported)
        assert not left_out & set(part.fields), part.key


def test_the_password_hash_and_secrets_are_never_exported():
    reasons = registry.not_exported()
    for name in ("members.User.password", "knox.AuthToken.digest", "sessions.Session.session_key"):
        assert reasons[name]


# The export of a person who has everything ------------------------------------------------------


@pytest.fixture
def everything(world, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        person = factories.person_with_everything(world)
    return person


def _jsonable(value):
    """As the export writes it: times at +07:00, as everywhere in HọcSố."""
    return json.loads(json.dumps(value, cls=LocalTimeEncoder))


def _exported(value):
    """A field's value as the export writes it: a foreign key may carry its label."""
    return value["id"] if isinstance(value, dict) and set(value) == {"id", "label"} else value


@pytest.mark.django_db
def test_the_export_holds_every_exported_field_of_every_row(everything, client):
    client.force_login(everything)  # a browser session, found by decoding the sessions
    export = registry.export_person(everything)
    checked = 0
    for part in registry.parts():
        model = part.model_class()
        rows = list(part.rows(everything).order_by("pk"))
        exported = export[part.key]
        exported = [exported] if part.key == "profile" else exported
        assert rows, f"the person has no {part.key}: the fixture must give them some"
        assert len(exported) == len(rows), part.key
        for row, out in zip(rows, exported, strict=True):
            for name in part.fields:
                field = model._meta.get_field(name)
                if field.many_to_many:
                    expected = sorted(getattr(row, name).values_list("pk", flat=True))
                    assert [item["id"] for item in out[name]] == expected, (part.key, name)
                    continue
                value = getattr(row, field.attname)
                if hasattr(value, "name") and not isinstance(value, str):  # a file
                    value = value.name
                assert _exported(out[name]) == _jsonable(value), (part.key, name)
                checked += 1
    assert checked > 300


@pytest.mark.django_db
def test_the_export_tells_the_consent_and_its_witness(everything, world):
    consent = registry.export_person(everything)["consent"]
    assert consent["version"] == "assisted-2025-1" and consent["given_at"].endswith("+07:00")
    assert consent["witnessed_by"] == {"id": world.leader_a.pk, "name": world.leader_a.full_name}
    assert "they agreed" in consent["text"] or "họ đã đồng ý" in consent["text"]


@pytest.mark.django_db
def test_the_export_finds_audit_events_about_the_persons_rows(everything, world):
    events = registry.export_person(everything)["audit_events"]
    actions = {event["action"] for event in events}
    # Their sign-up by a leader, their memberships, their certificate, their course, their skills.
    assert {
        "user.create",
        "membership.add",
        "certificate.issue",
        "enrolment.complete",
    } <= actions
    assert {"competency.attest", "staff_scope.grant"} <= actions
    # And what they did themselves, as a leader.
    assert any(e["action"] == "attendance.sync" and e["actor"] == everything.pk for e in events)


@pytest.mark.django_db
def test_the_export_finds_events_that_name_the_person_in_their_changes(world):
    from courses.models import CompetencyProfile
    from members.services import audit_record

    profile = CompetencyProfile.objects.first()
    audit_record(
        actor=world.resident_a,
        action="profile.reached",
        target=profile,
        changes={"user": [None, world.resident_a.pk]},
    )
    mine = registry.export_person(world.resident_a)["audit_events"]
    theirs = registry.export_person(world.resident_a2)["audit_events"]
    assert "profile.reached" in {e["action"] for e in mine}
    assert "profile.reached" not in {e["action"] for e in theirs}


@pytest.mark.django_db
def test_the_export_of_someone_else_holds_none_of_this_persons_rows(everything, world):
    other = registry.export_person(world.resident_a2)
    text = json.dumps(other, ensure_ascii=False)
    assert everything.full_name not in text and everything.phone not in text
