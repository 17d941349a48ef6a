"""Every admin view, walked as every persona with the ids of objects outside the persona's scope.

The crawler reads Django's URL resolver, so a view added tomorrow (by us or by a Wagtail upgrade) is
checked without anyone remembering to: every pattern under /admin/ and /django-admin/ gets its
arguments filled with an object of commune Y (a person, their group, membership, village,
certificate, import, staff scope, audit event…) and is requested with GET, plain and searched,
as a commune officer of commune X, a provincial trainer, a group leader, a resident and anonymous;
the views that write (edit, delete, bulk actions, workflow steps…) are also posted to, empty.

It asserts:
- no answer carries the out-of-scope person's full name or mobile number, in any formatting
  (+84…, 0…, spaced, dotted), for whoever may not see that person;
- no object outside the persona's scope answers 200 (404, 403, a redirect or 405 are all refusals);
- Wagtail's own user and group views, and the Django admin, are closed to officers and trainers;
- a draft page, a picture and a document titled with her name (content, which only its authors see
  through the admin's choosers) show to nobody else either.
- a write posted to an object outside the scope answers no 200 and changes nothing (her account,
  group, membership, certificate, marks, commune Y's import and officer, the authors' content).
And, so that "nothing answers" cannot pass for "scoped": an officer still sees their commune's
people and groups, a trainer the whole province.

``pytest tests/members/test_admin_scope.py -s`` prints personas × views checked.
"""

import datetime
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from knox.models import AuthToken
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.log_actions import log
from wagtail.models import Collection, Locale, Page, Site

from attendance.models import Session
from attendance.services import MarkInput, SessionInput, attendance_sync
from certificates.models import Certificate
from courses.models import CompetencyArea, CompetencyFramework, CompetencyProfile, CoursePage
from learning import services as learning_services
from members import roles, services
from members.models import AuditEvent, ImportBatch, Membership, StaffScope
from tests import factories
from tests.conftest import built_once
from tests.factories import correct_answers

pytestmark = pytest.mark.django_db

OUTSIDER_NAME = "Lục Thị Bích Mận"
OUTSIDER_PHONE = "+84971234567"
# Any formatting of 097 123 4567 (+84…, 0…, spaced, dotted): its nine significant digits in a row,
# with at most one separator between two.
PHONE_PATTERN = re.compile(r"[\s.\-\u00a0]?".join("971234567") + r"(?!\d)")
# Searches that would find the outsider, without echoing a string the leak check looks for.
SEARCHES = ("Bích Mận", "1234567")
PERSONAS = ("officer_x", "trainer", "leader_a", "resident", "anonymous")
# Wagtail's own account views and the Django admin are for administrators only.
CLOSED_NAMESPACES = ("wagtailusers_users", "wagtailusers_groups", "admin")
# Signing in and resetting a password are for everyone, and show nobody's data.
PUBLIC = {"admin:login", "wagtailadmin_login", "wagtailadmin_password_reset", "admin:jsi18n"}
# Ending the persona's session; Wagtail's deliberate error page (to test error reporting).
SKIPPED = {"wagtailadmin_logout", "admin:logout", "wagtailadmin_error_test"}


# The world, built once for the module ------------------------------------------------------------


@dataclass
class Crawl:
    world: factories.World
    refs: dict[str, object]  # objects of commune Y, and content
    inside: dict[str, object]  # the same kinds of object in commune X, the officer's
    # Kinds of object only the province sees: outside commune X, and so outside the officer's scope.
    outside_x: set[str] = field(default_factory=set)


def _session(recorder, group, person) -> Session:
    session_uuid, now = uuid.uuid4(), timezone.now()
    attendance_sync(
        user=recorder,
        sessions=[SessionInput(session_uuid, group.code, now, "VNeID", "Nhà văn hóa")],
        marks=[MarkInput(uuid.uuid4(), session_uuid, person.pk, "present", now, "may-1")],
    )
    return Session.objects.get(uuid=session_uuid)


def build_crawl() -> Crawl:
    world = factories.build_world()
    outsider = world.resident_c
    outsider.full_name, outsider.phone = OUTSIDER_NAME, OUTSIDER_PHONE
    outsider.save(update_fields=["full_name", "phone"])
    course = factories.course(lessons=1, title="Cài đặt và sử dụng VNeID")
    lesson = course.lessons().get()
    for person in (world.resident_a, outsider):
        learning_services.quiz_submit(
            user=person, lesson=lesson, answers=correct_answers(lesson), submission_id=uuid.uuid4()
        )
    certificate = Certificate.objects.get(holder=outsider)
    membership = Membership.objects.get(user=outsider, group=world.group_c)
    # She once belonged to a group of commune X: its roster must not name her to X's officer now.
    factories.MembershipFactory(
        user=outsider,
        group=world.group_a,
        joined_on=datetime.date(2025, 3, 1),
        left_on=datetime.date(2025, 9, 1),
    )
    session = _session(world.leader_c, world.group_c, outsider)
    batches = [
        ImportBatch.objects.create(
            kind="members", file_name="danh-sach.csv", sha256="0" * 64, size=10, uploaded_by=officer
        )
        for officer in (world.officer_y, world.officer_x)
    ]
    # What Wagtail logs when an administrator edits these in the admin: labels are names.
    for instance in (outsider, world.group_c, world.group_c.village, certificate, membership):
        log(instance=instance, action="wagtail.edit", user=world.admin)
    audit = AuditEvent.objects.filter(target_type="members.user", target_id=str(outsider.pk)).first()
    audit = audit or services.audit_record(
        actor=world.admin, action=AuditEvent.Action.USER_VILLAGE, target=outsider
    )
    # A lesson a trainer submitted for review: the workflow views have a real state to name.
    revision = lesson.save_revision(user=world.trainer)
    workflow = lesson.get_workflow()
    workflow_state = workflow.start(lesson, world.trainer)
    # Content for its authors' eyes only, named after her so that the leak check finds it in any view
    # (the choosers of pictures, documents and pages) that shows it to someone else (issue 14).
    secret = f"Bản nháp về {OUTSIDER_NAME}"
    draft = factories.catalogue().add_child(
        instance=CoursePage(title=secret, slug="ban-nhap", code="NHAP-99", summary="x", live=False)
    )
    image = get_image_model().objects.create(title=secret, file=get_test_image_file())
    document = get_document_model().objects.create(title=secret, file=ContentFile(b"x", name="ban-nhap.pdf"))
    refs = {
        "person": outsider.pk,
        "group": world.group_c.pk,
        "village": world.group_c.village_id,
        "commune": world.commune_y.pk,
        "membership": membership.pk,
        "certificate": certificate.pk,
        "session": session.pk,
        "import": batches[0].pk,
        "staffscope": StaffScope.objects.get(user=world.officer_y).pk,
        "auditevent": audit.pk,
        "token": AuthToken.objects.create(user=outsider)[0].pk,
        "authgroup": roles.group_for(StaffScope.Role.COMMUNE_OFFICER).pk,
        "page": lesson.pk,
        "revision": revision.pk,
        "workflow": workflow.pk,
        "workflow_state": workflow_state.pk,
        "task_state": workflow_state.current_task_state.pk,
        "task": workflow_state.current_task_state.task_id,
        "site": Site.objects.get(is_default_site=True).pk,
        "locale": Locale.objects.get(language_code="en").pk,
        "collection": Collection.get_first_root_node().pk,
        "framework": CompetencyFramework.objects.first().pk,
        "area": CompetencyArea.objects.first().pk,
        "profile": CompetencyProfile.objects.first().pk,
        "root_page": Page.get_first_root_node().pk,
        "draft": draft.pk,
        "image": image.pk,
        "document": document.pk,
        "catalogue": draft.get_parent().pk,
    }
    inside = refs | {
        "person": world.resident_a.pk,
        "group": world.group_a.pk,
        "village": world.group_a.village_id,
        "commune": world.commune_x.pk,
        "membership": Membership.objects.get(user=world.resident_a, group=world.group_a).pk,
        "certificate": Certificate.objects.get(holder=world.resident_a).pk,
        "session": _session(world.leader_a, world.group_a, world.resident_a).pk,
        "import": batches[1].pk,
        "staffscope": StaffScope.objects.get(user=world.officer_x).pk,
        "auditevent": services.audit_record(
            actor=world.admin, action=AuditEvent.Action.USER_VILLAGE, target=world.resident_a
        ).pk,
        "token": AuthToken.objects.create(user=world.resident_a)[0].pk,
    }
    outside_x = {"person", "group", "village", "membership", "certificate", "session", "import"}
    outside_x |= {"staffscope", "auditevent", "token"}
    outside_x |= {"draft", "image", "document"}  # content its authors (trainers) alone see
    return Crawl(world, refs, inside, outside_x)


@pytest.fixture(scope="module")
def crawl(django_db_setup, django_db_blocker):
    yield from built_once(django_db_blocker, build_crawl)


# Walking the resolver ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespace:name
    pattern: str  # the route as Django spells it, for messages
    parts: tuple  # the patterns from the root down to the view


def admin_routes() -> list[Route]:
    routes = []

    def walk(patterns, parents, namespaces, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
                walk(pattern.url_patterns, (*parents, pattern), namespace, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.lstrip("^").startswith(("admin/", "django-admin/")):
                    name = ":".join([*namespaces, pattern.name or route])
                    routes.append(Route(name, route, (*parents, pattern)))

    walk(get_resolver().url_patterns, (), [], "")
    return routes


def _parameters(route: Route) -> list[str]:
    names = []
    for part in route.parts:
        converters = getattr(part.pattern, "converters", None)
        if converters is not None:
            names.extend(re.findall(r"<(?:\w+:)?(\w+)>", str(part.pattern)))
        else:
            names.extend(part.pattern.regex.groupindex)
    return names


# Which object (a key of Crawl.refs) an object argument names, by the view's namespace.
NAMESPACE_REFS = {
    "people": "person",
    "communitygroup": "group",
    "village": "village",
    "commune": "commune",
    "certificate": "certificate",
    "wagtailusers_users": "person",
    "wagtailusers_groups": "authgroup",
    "members_import": "import",
    "wagtailsites": "site",
    "wagtaillocales": "locale",
    "wagtailadmin_workflows": "workflow",
    "wagtailsnippets_courses_competencyframework": "framework",
    "wagtailsnippets_courses_competencyarea": "area",
    "wagtailsnippets_courses_competencyprofile": "profile",
    "wagtailadmin_collections": "collection",
    "wagtailadmin_api:pages": "page",
    "wagtailadmin_pages": "page",
    "wagtailsettings": "site",
    "wagtailimages": "image",
    "wagtailimages_chooser": "image",
    "wagtailadmin_api:images": "image",
    "wagtaildocs": "document",
    "wagtaildocs_chooser": "document",
    "wagtailadmin_api:documents": "document",
}
DJANGO_ADMIN_REFS = {
    "members/user": "person",
    "members/communitygroup": "group",
    "members/village": "village",
    "members/commune": "commune",
    "members/membership": "membership",
    "members/staffscope": "staffscope",
    "members/auditevent": "auditevent",
    "auth/group": "authgroup",
    "knox/authtoken": "token",
}
OBJECT_ARGUMENTS = {
    "page_id": "page",
    "parent_page_id": "page",
    "page_to_move_id": "page",
    "page_pk": "page",
    "destination_id": "root_page",
    "revision_id": "revision",
    "revision_id_a": "revision",
    "revision_id_b": "revision",
    "task_id": "task",
    "task_state_id": "task_state",
    "workflow_state_id": "workflow_state",
    "workflow_pk": "workflow",
    "collection_id": "collection",
}
# Arguments that name no object: a value the view accepts.
PLAIN_ARGUMENTS = {
    "content_type_app_name": "courses",
    "content_type_model_name": "lessonpage",
    "app_label": "members",
    "app_name": "members",
    "model_name": "user",
    "action": "delete",
    "action_name": "approve",
    "filter_spec": "original",
    "uidb64": "MQ",
    "token": "set-password",
    "kind": "members",
    "file_format": "csv",
    "slug": "profile-pho-cap-co-ban",
    "content_type_id": "1",
}
TASK_VIEWS = {"edit_task", "disable_task", "enable_task", "task_chosen"}


def _object_ref(route: Route, parameter: str) -> str | None:
    namespace, _sep, url_name = route.name.rpartition(":")
    if url_name == "wagtailadmin_choose_page_child":
        return "draft"  # its title shows above the list of its children
    if parameter in OBJECT_ARGUMENTS:
        return OBJECT_ARGUMENTS[parameter]
    if parameter not in {"pk", "object_id", "doc_id", "image_id", "document_id"}:
        return None
    if route.pattern.startswith("django-admin/"):
        model = "/".join(route.pattern.split("/")[1:3])
        return DJANGO_ADMIN_REFS.get(model)
    if namespace == "wagtailadmin_workflows" and url_name in TASK_VIEWS:
        return "task"
    return NAMESPACE_REFS.get(namespace)


def fill(route: Route, refs: dict) -> list[tuple[str, set[str]]]:
    """The paths to request for a route, each with the refs (kinds of object) it names. An argument
    naming no object we know of (an image, a redirect…) gets the outsider's id all the same."""
    used: set[str] = set()
    values: dict[str, str] = {}
    for parameter in _parameters(route):
        ref = _object_ref(route, parameter)
        if ref is not None:
            used.add(ref)
            values[parameter] = str(refs[ref])
        elif parameter == "url":  # the Django admin's catch-all
            values[parameter] = f"members/user/{refs['person']}/change/"
        elif parameter == "app_name" and route.name.startswith("wagtailsettings:"):
            values[parameter], values["model_name"] = "certificates", "issuersettings"
        else:
            values[parameter] = values.get(parameter) or PLAIN_ARGUMENTS.get(parameter, str(refs["person"]))
    if route.name.endswith("wagtail_bulk_action"):
        return [
            (f"/admin/bulk/members/user/{action}/?id={refs['person']}", {"person"})
            for action in ("delete", "assign_role", "set_active_state")
        ]
    if route.parts[-1].name is not None:
        return [(reverse(route.name, kwargs=values), used)]
    # Unnamed views (the Django admin's redirects, Wagtail's catch-all) are path patterns.
    path = "/" + route.pattern
    for parameter, value in values.items():
        path = re.sub(r"<(?:\w+:)?" + parameter + r">", value, path)
    return [(path.replace("^.*/$", "no-such-view/").replace("(?P<url>.*)$", values.get("url", "")), used)]


def _searches(path: str) -> list[str]:
    joiner = "&" if "?" in path else "?"
    parameter = "search" if path.startswith("/admin/api/") else "q"
    return [path + joiner + urlencode({parameter: query}) for query in SEARCHES]


# Extra queries on views whose filters or arguments could name commune Y.
def _filtered(refs: dict, world) -> list[tuple[str, set[str]]]:
    y, group_c = world.commune_y, world.group_c
    return [
        (f"/admin/people/?village__commune={y.pk}", set()),
        (f"/admin/communitygroup/?commune={y.pk}", set()),
        (f"/admin/village/?commune={y.pk}", set()),
        (f"/admin/certificate/?q={quote(SEARCHES[0])}", set()),
        (f"/admin/reports/site-history/?label={quote(SEARCHES[0])}", set()),
        (f"/admin/reports/site-history/results/?object_type=&label={quote(SEARCHES[0])}", set()),
        (f"/admin/thong-ke/?commune={y.code}", set()),
        (f"/admin/thong-ke/hoat-dong/?commune={y.code}", set()),
        (f"/admin/thong-ke/hoat-dong/?group={group_c.code}", set()),
        (f"/admin/thong-ke/xuat/profile-pho-cap-co-ban.csv?commune={y.code}", set()),
        (f"/admin/thong-ke/xuat/profile-pho-cap-co-ban.xlsx?commune={y.code}", set()),
        (f"/admin/thong-ke/xuat/activity.csv?group={group_c.code}", set()),
        # The page chooser: the draft among its parent's children, and chosen by id.
        (f"/admin/choose-page/{refs['catalogue']}/", set()),
        (f"/admin/choose-page/{refs['catalogue']}/?page_type=courses.coursepage&multiple=1", set()),
        (f"/admin/choose-page/search/?q={quote('Bản nháp')}&results=true", set()),
        (f"/admin/choose-page/chosen-multiple/?id={refs['draft']}", set()),
        (f"/admin/images/chooser/chosen-multiple/?id={refs['image']}", set()),
        (f"/admin/documents/chooser/chosen-multiple/?id={refs['document']}", set()),
    ]


# Reading the answers ----------------------------------------------------------------------------


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # an XLSX workbook: its strings are in the XML parts
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as workbook:
                return "".join(workbook.read(n).decode("utf-8", "replace") for n in workbook.namelist())
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", "replace")


def leaks(text: str) -> list[str]:
    found = []
    for spelling in (OUTSIDER_NAME, json.dumps(OUTSIDER_NAME)[1:-1], quote(OUTSIDER_NAME)):
        if spelling in text:
            found.append("name")
            break
    if PHONE_PATTERN.search(text):
        found.append("phone")
    return found


def may_see_outsider(persona: str) -> bool:
    return persona == "trainer"


def check(crawl: Crawl, persona: str) -> tuple[list[str], int]:
    """Request every admin view as ``persona``; return what went wrong and how many views were asked."""
    client = Client(raise_request_exception=False)
    user = crawl.world.personas()[persona]
    if user is not None:
        client.force_login(user)
    outside = crawl.outside_x if persona == "officer_x" else set(crawl.refs) - {"commune"}
    if persona == "trainer":
        outside = set()
    # Each test has media folders of its own: the picture's file, saved when the world was built, is
    # put back where this test's storage looks (its previews are drawn from it).
    image = get_image_model().objects.get(pk=crawl.refs["image"])
    if not image.file.storage.exists(image.file.name):
        image.file.storage.save(image.file.name, get_test_image_file())
    problems, requested = [], 0
    requests: list[tuple[Route | None, str, set[str]]] = []
    for route in admin_routes():
        if route.name in SKIPPED:
            continue
        for path, used in fill(route, crawl.refs):
            requests.append((route, path, used))
            if not used:
                requests.extend((route, searched, set()) for searched in _searches(path))
        # The same views of commune X's objects may answer, but must not name anyone outside X.
        requests.extend((route, path, set()) for path, used in fill(route, crawl.inside) if used)
    requests.extend((None, path, used) for path, used in _filtered(crawl.refs, crawl.world))
    for route, path, used in requests:
        response = client.get(path)
        requested += 1
        status = response.status_code
        where = f"{persona} GET {path} → {status}"
        if status >= 500:
            problems.append(f"{where}: server error")
            continue
        closed = (
            route is not None and route.name.split(":")[0] in CLOSED_NAMESPACES and route.name not in PUBLIC
        )
        if closed and status == 200:
            problems.append(f"{where}: administrators only, but answers")
        if used & outside and status == 200:
            problems.append(f"{where}: {', '.join(sorted(used & outside))} outside the scope, but answers")
        if not may_see_outsider(persona) or closed:
            found = leaks(_text(response))
            if found:
                problems.append(f"{where}: shows the out-of-scope person's {' and '.join(found)}")
    return problems, requested


@pytest.mark.parametrize(
    "text",
    ["+84971234567", "0971234567", "097 123 4567", "0971.234.567", "+84 971 234 567", '"+84971234567"'],
)
def test_the_leak_check_finds_every_spelling_of_the_number(text):
    assert leaks(f"<td>{text}</td>") == ["phone"]


def test_the_leak_check_finds_the_name_and_ignores_a_search_echoed():
    assert leaks(f"<td>{OUTSIDER_NAME}</td>") == ["name"]
    assert leaks(json.dumps({"label": OUTSIDER_NAME})) == ["name"]
    assert leaks(f'<input name="q" value="{SEARCHES[0]}"><input value="{SEARCHES[1]}">') == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_admin_view_reaches_outside_the_persona_scope(crawl, persona):
    problems, requested = check(crawl, persona)
    print(f"\nadmin scope crawl: {persona}: {requested} requests, {len(problems)} problems")
    assert not problems, f"{len(problems)} of {requested} requests:\n" + "\n".join(problems)


def test_the_crawl_covers_every_admin_view(crawl):
    routes = admin_routes()
    crawled = [route for route in routes if route.name not in SKIPPED]
    print(
        f"\nadmin scope crawl: {len(PERSONAS)} personas × {len(crawled)} admin views"
        f" ({len(routes)} URL patterns, {len(routes) - len(crawled)} skipped)"
    )
    names = {route.name for route in routes}
    for expected in (
        "wagtailusers_users:index",
        "people:history",
        "communitygroup:usage",
        "wagtailadmin_reports:site_history",
        "certificate:inspect",
        "admin:members_user_changelist",
        "members_import:preview",
        "stats:export",
    ):
        assert expected in names


# Writes: the same views posted to ------------------------------------------------------------------

# Views that change something when posted to (edit, delete, bulk actions, workflow steps, …).
WRITES = re.compile(
    r"(edit|delete|add|create|copy|move|publish|revert|bulk|action|approve|reject|lock|convert|privacy"
    r"|workflow|enable|disable|remove|restore|reset|set_|chooser|upload|rename|revoke|preview)"
)


def _outsiders_rows(crawl: Crawl) -> dict:
    """What an out-of-scope write could change: her account, her group, her membership, her
    certificate, her session's marks, commune Y's import and officer, and the authors' content."""
    from wagtail.models import Page

    from attendance.models import AttendanceMark
    from members.models import CommunityGroup, User

    refs = crawl.refs
    return {
        "person": list(User.objects.filter(pk=refs["person"]).values()),
        "group": list(CommunityGroup.objects.filter(pk=refs["group"]).values()),
        "membership": list(Membership.objects.filter(pk=refs["membership"]).values()),
        "certificate": list(
            Certificate.objects.filter(pk=refs["certificate"]).values("status", "holder_name")
        ),
        "marks": list(AttendanceMark.objects.filter(session_id=refs["session"]).values()),
        "import": list(ImportBatch.objects.filter(pk=refs["import"]).values()),
        "staffscope": list(StaffScope.objects.filter(pk=refs["staffscope"]).values()),
        "tokens": AuthToken.objects.filter(pk=refs["token"]).count(),
        "pages": list(
            Page.objects.filter(pk__in=[refs["draft"], refs["page"]]).values("title", "live", "locked")
        ),
        "image": get_image_model().objects.filter(pk=refs["image"]).count(),
        "document": get_document_model().objects.filter(pk=refs["document"]).count(),
    }


@pytest.mark.parametrize("persona", ["officer_x", "leader_a", "resident", "anonymous"])
def test_no_admin_view_writes_outside_the_persona_scope(crawl, persona):
    """Every admin view that writes, posted to with objects outside the persona's scope (an empty
    form, which a delete or an action view takes as it is): nothing answers, nothing changes."""
    client = Client(raise_request_exception=False)
    user = crawl.world.personas()[persona]
    if user is not None:
        client.force_login(user)
    outside = crawl.outside_x if persona == "officer_x" else set(crawl.refs) - {"commune"}
    before = _outsiders_rows(crawl)
    problems, posted = [], 0
    for route in admin_routes():
        if route.name in SKIPPED or route.name in PUBLIC or not WRITES.search(route.name):
            continue
        for path, used in fill(route, crawl.refs):
            closed = route.name.split(":")[0] in CLOSED_NAMESPACES
            if not (used & outside or closed):
                continue
            response = client.post(path, {})
            posted += 1
            where = f"{persona} POST {path} → {response.status_code}"
            if response.status_code >= 500:
                problems.append(f"{where}: server error")
            elif response.status_code == 200:
                problems.append(
                    f"{where}: answers for {', '.join(sorted(used & outside)) or 'administrators only'}"
                )
    after = _outsiders_rows(crawl)
    changed = [kind for kind in before if before[kind] != after[kind]]
    print(
        f"\nadmin scope crawl: {persona}: {posted} writes posted, {len(problems)} problems,"
        f" changed: {changed}"
    )
    assert posted > 50
    assert not problems, "\n".join(problems)
    assert changed == []


# Scoped, not empty ------------------------------------------------------------------------------


def test_an_officer_still_sees_their_commune(crawl, client):
    world = crawl.world
    client.force_login(world.officer_x)
    people = client.get("/admin/people/").content.decode()
    assert world.resident_a.full_name in people and world.loner.full_name in people
    assert client.get(f"/admin/people/inspect/{world.resident_a.pk}/").status_code == 200
    groups = client.get("/admin/communitygroup/").content.decode()
    assert world.group_a.name in groups and world.group_b.name in groups
    assert client.get(f"/admin/communitygroup/inspect/{world.group_a.pk}/").status_code == 200
    assert client.get(f"/admin/communitygroup/history/{world.group_a.pk}/").status_code == 200
    villages = client.get("/admin/village/").content.decode()
    assert world.group_a.village.name in villages


def test_a_trainer_sees_the_province(crawl, client):
    world = crawl.world
    client.force_login(world.trainer)
    people = client.get("/admin/people/?" + urlencode({"q": SEARCHES[0]})).content.decode()
    assert OUTSIDER_NAME in people
    assert client.get(f"/admin/people/inspect/{world.resident_c.pk}/").status_code == 200
    groups = client.get("/admin/communitygroup/").content.decode()
    assert world.group_a.name in groups and world.group_c.name in groups
    assert client.get(f"/admin/communitygroup/history/{world.group_c.pk}/").status_code == 200
    assert client.get(f"/admin/certificate/inspect/{crawl.refs['certificate']}/").status_code == 200
