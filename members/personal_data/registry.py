"""What HọcSố holds about a person, part by part: the declarations (see the package's docstring)."""

import json

from django.apps import apps
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from members import extensions
from members.models import AuditEvent
from members.personal_data.parts import Erase, Part, PersonalValues, names


def _audit_about(person) -> Q:
    """Audit events about the person's own rows (their memberships, certificates, awards…), and
    those that name them in ``changes.user`` (a competency profile reached)."""
    condition = Q(changes__user__1=person.pk)
    # Who looked their number up (a leader adding it to a group): the number is kept as a digest.
    condition |= Q(
        action=AuditEvent.Action.MEMBER_LOOKUP, changes__number__1=PersonalValues.of(person).digest
    )
    for part in parts():
        if not part.own or part.search is not None or part.model == "members.User":
            continue
        ids = [str(pk) for pk in part.rows(person).values_list("pk", flat=True)]
        if ids:
            condition |= Q(target_type=part.model_class()._meta.label_lower, target_id__in=ids)
    return condition


def _log_entries_naming(person) -> Q:
    """Admin history entries whose label names the person (a membership's label holds their name)."""
    return Q(label__contains=person.full_name) if person.full_name else Q(pk__in=[])


def _admin_log_naming(person) -> Q:
    return Q(object_repr__contains=person.full_name) if person.full_name else Q(pk__in=[])


def _sessions_of(person) -> Q:
    """Browser sessions signed in as the person. Sessions are not indexed by person: their data is
    decoded one by one (only when exporting or erasing, never on a page view)."""
    Session = apps.get_model("sessions", "Session")
    keys = []
    store = Session.get_session_store_class()()
    for key, data in Session.objects.values_list("session_key", "session_data").iterator():
        if str(store.decode(data).get("_auth_user_id")) == str(person.pk):
            keys.append(key)
    return Q(session_key__in=keys)


def _imports_listing(person) -> Q:
    """Uploaded files, still kept, whose rows name the person (an officer's list, before or after
    its preview), or whose checked preview does (it names, say, a group's current leader)."""
    ImportBatch = apps.get_model("members", "ImportBatch")
    values = PersonalValues.of(person)
    kept = ImportBatch.objects.filter(purged_at__isnull=True).values_list("pk", "content", "plan")
    ids = [
        pk
        for pk, content, plan in kept
        if values.found_in(bytes(content).decode("utf-8", errors="replace"))
        or values.found_in(
            "\n".join(json.dumps(row, ensure_ascii=False) for row in (plan or {}).get("rows", []))
        )
    ]
    return Q(pk__in=ids)


HISTORY = "The history of the content they edited: it says who did what to a page, not about them."

MEMBERS_PARTS = (
    Part(
        "profile",
        "members.User",
        by=names("id"),
        fields=names(
            "id phone full_name email preferred_language village birth_year consent_at "
            "consent_version consent_recorded_by date_joined last_login is_active is_staff "
            "is_superuser groups user_permissions erased_at"
        ),
        named=names("consent_recorded_by"),
        labels={"village": "village__name"},
        erase=Erase.SCRUB,
        why=(
            "The row stays as an anonymous tombstone so that what the person did still counts: name, "
            "number, e-mail, year of birth, password, consent and sign-in time are removed, the "
            "preferred language reset (it can hint at ethnicity), the date joined kept to the month; "
            "the village stays because the commune's numbers count residents by village."
        ),
    ),
    Part(
        "memberships",
        "members.Membership",
        by=names("user"),
        fields=names("id user group role joined_on left_on"),
        labels={"group": "group__name"},
        coarsen=names("joined_on left_on"),
        erase=Erase.SCRUB,
        why=(
            "Kept so that the group's numbers stay right; a leader or deputy role ends, so the group "
            "can choose someone else; dates kept to the month."
        ),
    ),
    Part(
        "group_invitations",
        "members.GroupInvitation",
        by=names("person"),
        fields=names(
            "id group person invited_by role phone_hint status created_at expires_at decided_at code_failures"
        ),
        named=names("invited_by"),
        labels={"group": "group__name"},
        not_exported={"code_salt": _("Technical: what the invitation's code is made from, a secret.")},
        not_followed={"phone_hint": "The masked number the leader typed, in the invited person's own row."},
        erase=Erase.DELETE,
        why="An invitation to a group exists only for the invited person: it goes with their data.",
    ),
    Part(
        "group_invitations_sent",
        "members.GroupInvitation",
        by=names("invited_by"),
        own=False,
        fields=names("id group role status created_at expires_at decided_at"),
        labels={"group": "group__name"},
        erase=Erase.KEEP,
        why="Invitations the person sent as a leader: they are the invited people's.",
    ),
    Part(
        "password_reset_codes",
        "members.PasswordResetCode",
        by=names("user"),
        fields=names("id user issued_by channel created_at expires_at used_at attempts"),
        named=names("issued_by"),
        not_exported={"code_hash": _("A keyed one-way hash of the code: giving it out would help guessing.")},
        erase=Erase.DELETE,
        why="A way back into the account: no use once the account is gone.",
    ),
    Part(
        "password_reset_codes_issued",
        "members.PasswordResetCode",
        by=names("issued_by"),
        own=False,
        fields=names("id channel created_at expires_at used_at"),
        erase=Erase.KEEP,
        why="Codes the person gave others as a leader or officer: they are the others'.",
    ),
    Part(
        "staff_roles",
        "members.StaffScope",
        by=names("user"),
        fields=names("id user role commune granted_at granted_by"),
        named=names("granted_by"),
        labels={"commune": "commune__name"},
        erase=Erase.DELETE,
        why="A role is a permission given to the person: it ends with their account.",
    ),
    Part(
        "audit_events",
        "members.AuditEvent",
        by=names("actor target_type/target_id"),
        search=_audit_about,
        fields=names("id actor action target_type target_id changes created_at"),
        erase=Erase.SCRUB,
        why=(
            "The record of who did what stays (the law asks for it); the person's name, number and "
            "e-mail are removed from what it says changed."
        ),
    ),
    Part(
        "imports_uploaded",
        "members.ImportBatch",
        by=names("uploaded_by"),
        own=False,
        fields=names(
            "id kind file_name sha256 size uploaded_by created_at status summary committed_at purged_at"
        ),
        erase=Erase.KEEP,
        why="The record of an import: who imported which file, when, with what counts.",
    ),
    Part(
        "imports_listing_you",
        "members.ImportBatch",
        search=_imports_listing,
        fields=names("id kind created_at status purged_at"),
        erase=Erase.SCRUB,
        why="An uploaded list still kept with the person's row in it: the file is emptied.",
    ),
    Part(
        "browser_sessions",
        "sessions.Session",
        search=_sessions_of,
        fields=names("expire_date"),
        erase=Erase.DELETE,
        why="Being signed in: every browser is signed out (database and cache).",
    ),
    Part(
        "api_tokens",
        "knox.AuthToken",
        by=names("user"),
        fields=names("user created expiry"),
        erase=Erase.DELETE,
        why="Being signed in on a phone app: every app is signed out.",
    ),
    # Wagtail (the admin where trainers and officers work) --------------------------------------
    Part(
        "admin_profile",
        "wagtailusers.UserProfile",
        by=names("user"),
        fields=names(
            "id user submitted_notifications approved_notifications rejected_notifications "
            "updated_comments_notifications preferred_language current_time_zone avatar "
            "dismissibles theme contrast density keyboard_shortcuts"
        ),
        erase=Erase.DELETE,
        why="The person's settings in the admin, and their picture: deleted with the file.",
    ),
    Part(
        "admin_api_tokens",
        "wagtailcore.APIToken",
        by=names("user"),
        fields=names("id user name prefix created revoked_at last_used_at"),
        erase=Erase.DELETE,
        why="Keys to the admin's API for the person's programs: no use without them.",
    ),
    Part(
        "pages",
        "wagtailcore.Page",
        by=names("owner locked_by"),
        own=False,
        fields=names(
            "id title url_path live first_published_at last_published_at "
            "latest_revision_created_at owner locked locked_at locked_by"
        ),
        erase=Erase.SCRUB,
        why="Pages the person wrote stay (course content); the pages they had locked are unlocked.",
    ),
    Part(
        "page_revisions",
        "wagtailcore.Revision",
        by=names("user"),
        own=False,
        fields=names("id content_type object_id object_str created_at user"),
        erase=Erase.KEEP,
        why=HISTORY,
    ),
    Part(
        "page_history",
        "wagtailcore.PageLogEntry",
        by=names("user"),
        own=False,
        fields=names(
            "id content_type label action data timestamp uuid user revision content_changed deleted page"
        ),
        erase=Erase.KEEP,
        why=HISTORY,
    ),
    Part(
        "admin_history",
        "wagtailcore.ModelLogEntry",
        by=names("user content_type/object_id"),
        search=_log_entries_naming,
        fields=names(
            "id content_type label action data timestamp uuid user revision content_changed deleted object_id"
        ),
        erase=Erase.SCRUB,
        why="The admin's history stays; entries that name the person lose the name.",
    ),
    Part(
        "django_admin_history",
        "admin.LogEntry",
        by=names("user content_type/object_id"),
        search=_admin_log_naming,
        fields=names("id action_time user content_type object_id object_repr action_flag change_message"),
        erase=Erase.SCRUB,
        why="The technical admin's history stays; entries that name the person lose the name.",
    ),
    Part(
        "page_comments",
        "wagtailcore.Comment",
        by=names("user resolved_by"),
        own=False,
        fields=names(
            "id page user text contentpath position created_at updated_at revision_created "
            "resolved_at resolved_by"
        ),
        erase=Erase.KEEP,
        why="Comments on a page's content, part of how it was reviewed.",
    ),
    Part(
        "page_comment_replies",
        "wagtailcore.CommentReply",
        by=names("user"),
        own=False,
        fields=names("id comment user text created_at updated_at"),
        erase=Erase.KEEP,
        why="Replies to comments on a page's content, part of how it was reviewed.",
    ),
    Part(
        "page_subscriptions",
        "wagtailcore.PageSubscription",
        by=names("user"),
        fields=names("id user page comment_notifications"),
        erase=Erase.DELETE,
        why="The person's wish to be told about comments: no use without them.",
    ),
    Part(
        "workflows_requested",
        "wagtailcore.WorkflowState",
        by=names("requested_by"),
        own=False,
        fields=names(
            "id content_type base_content_type object_id workflow status created_at "
            "requested_by current_task_state"
        ),
        erase=Erase.KEEP,
        why=HISTORY,
    ),
    Part(
        "workflow_tasks_finished",
        "wagtailcore.TaskState",
        by=names("finished_by"),
        own=False,
        fields=names(
            "id workflow_state revision task status started_at finished_at finished_by comment content_type"
        ),
        erase=Erase.KEEP,
        why=HISTORY,
    ),
    Part(
        "documents_uploaded",
        "wagtaildocs.Document",
        by=names("uploaded_by_user"),
        own=False,
        fields=names("id title file created_at uploaded_by_user"),
        erase=Erase.KEEP,
        why="Documents used by the courses: they are content, not about the person.",
    ),
    Part(
        "images_uploaded",
        "wagtailimages.Image",
        by=names("uploaded_by_user"),
        own=False,
        fields=names("id title file created_at uploaded_by_user"),
        erase=Erase.KEEP,
        why="Pictures used by the courses: they are content, not about the person.",
    ),
    Part(
        "uploads_waiting",
        "wagtailcore.UploadedFile",
        by=names("uploaded_by_user"),
        own=False,
        fields=names("id for_content_type file uploaded_by_user"),
        erase=Erase.KEEP,
        why="A file uploaded to the media library and not yet saved: content, not about the person.",
    ),
    Part(
        "admin_editing",
        "wagtailadmin.EditingSession",
        by=names("user"),
        fields=names("id user content_type object_id last_seen_at is_editing"),
        erase=Erase.DELETE,
        why="Which page the person has open in the editor: no use without them.",
    ),
    Part(
        "admin_drafts",
        "wagtailadmin.FormState",
        by=names("user content_type/object_id"),
        fields=names("id data user content_type object_id parent_object_id last_updated_at"),
        erase=Erase.DELETE,
        why="Unsaved forms of the admin, by the person or about their account.",
    ),
    # django-axes (sign-in attempts), when installed: it keeps the number as typed at sign-in -----
    Part(
        "sign_in_attempts",
        "axes.AccessAttempt",
        by=names("username"),
        fields=names(
            "id user_agent ip_address username http_accept path_info attempt_time get_data "
            "post_data failures_since_start"
        ),
        erase=Erase.DELETE,
        why="Failed sign-ins with the person's number: kept only to stop password guessing.",
    ),
    Part(
        "sign_in_failures",
        "axes.AccessFailureLog",
        by=names("username"),
        fields=names("id user_agent ip_address username http_accept path_info attempt_time locked_out"),
        erase=Erase.DELETE,
        why="Failed sign-ins with the person's number: kept only to stop password guessing.",
    ),
    Part(
        "sign_ins",
        "axes.AccessLog",
        by=names("username"),
        fields=names("id user_agent ip_address username http_accept path_info attempt_time logout_time"),
        erase=Erase.DELETE,
        why="The person's sign-ins: a record for them, of no use once they are gone.",
    ),
)

TECHNICAL = _("Technical: it says nothing about the person.")
PAGE_SETTING = _("The page's own settings: they say nothing about the person.")
FILE_DETAIL = _("Details of the file (size, checksum, collection): they say nothing about the person.")

NOT_EXPORTED: dict[str, dict[str, Promise]] = {
    "members.User": {
        "password": _(
            "A one-way hash of the password: it cannot be read, and giving it out would help guessing."
        ),
    },
    "members.ImportBatch": {
        "content": _("The uploaded file itself: other people's rows; emptied once imported."),
        "plan": _(
            "What the preview found in the file, row by row: other people's rows; emptied with the file."
        ),
    },
    "knox.AuthToken": {
        "digest": _("A one-way hash of the app's secret key."),
        "token_key": _("The first characters of the app's secret key."),
    },
    "wagtailcore.APIToken": {"key_hash": _("A one-way hash of the secret key.")},
    "sessions.Session": {
        "session_key": _("The secret that keeps a browser signed in."),
        "session_data": _("Technical: which account a browser is signed in to, and how."),
    },
    "wagtailcore.Page": dict.fromkeys(
        (
            "path",
            "depth",
            "numchild",
            "translation_key",
            "locale",
            "latest_revision",
            "has_unpublished_changes",
            "live_revision",
            "go_live_at",
            "expire_at",
            "expired",
            "draft_title",
            "slug",
            "content_type",
            "alias_of",
            "show_in_menus",
            "seo_title",
            "search_description",
        ),
        PAGE_SETTING,
    ),
    "wagtailcore.Revision": {
        "content": _("The page's content at that moment: course material, not about the person."),
        "base_content_type": TECHNICAL,
        "approved_go_live_at": PAGE_SETTING,
    },
    "wagtaildocs.Document": dict.fromkeys(names("collection file_size file_hash tags"), FILE_DETAIL),
    "wagtailimages.Image": dict.fromkeys(
        names(
            "collection description width height focal_point_x focal_point_y focal_point_width "
            "focal_point_height file_size file_hash tags"
        ),
        FILE_DETAIL,
    ),
    "axes.AccessLog": {"session_hash": _("A one-way hash of the session's secret.")},
}

LINKS_NOT_FOLLOWED: dict[str, dict[str, str]] = {
    "members.User": {
        "consent_recorded_by": (
            "People this person signed up as a leader: their data is theirs; the sign-ups are in this "
            "person's record of changes."
        ),
        "phone": "The person's own number, in their own row.",
    },
    "members.StaffScope": {
        "granted_by": (
            "Roles this person gave others: theirs; the grants are in this person's record of changes."
        ),
    },
    "wagtailcore.Revision": {"content_type/object_id": "Page versions: people are never versioned."},
    "wagtailcore.WorkflowState": dict.fromkeys(
        names("base_content_type/object_id content_type/object_id"),
        "Reviews of pages: people are not reviewed.",
    ),
    "wagtailadmin.EditingSession": {
        "content_type/object_id": "The page open in an editor: people's accounts are not edited there.",
    },
    "wagtailcore.ReferenceIndex": {
        "content_type/object_id": "Which content uses which picture or page: people are not indexed.",
        "to_content_type/to_object_id": "Which content uses which picture or page: people are not indexed.",
    },
    "wagtailsearch.IndexEntry": {
        "content_type/object_id": (
            "The search index of pages, pictures and documents: people are not indexed."
        ),
    },
    "taggit.TaggedItem": {"content_type/object_id": "Tags on pictures and documents."},
}


def _all_parts() -> tuple[Part, ...]:
    return (*MEMBERS_PARTS, *extensions.personal_data_parts())


def parts() -> list[Part]:
    """Every part, ours and those of the apps above, whose app is installed."""
    return [item for item in _all_parts() if item.model_class() is not None]


def part(key: str) -> Part:
    return next(p for p in parts() if p.key == key)


def declared_fields(label: str) -> set[str]:
    """Fields of a model that the registry exports or deliberately leaves out (installed or not)."""
    declared = set(NOT_EXPORTED.get(label, {}))
    for item in _all_parts():
        if item.model == label:
            declared |= set(item.fields) | set(item.not_exported)
    return declared


def declared_links(label: str) -> set[str]:
    """Links to a person that the registry follows, or deliberately does not."""
    declared = set(LINKS_NOT_FOLLOWED.get(label, {}))
    for item in _all_parts():
        if item.model == label:
            declared |= set(item.by) | set(item.not_followed)
    return declared


def not_exported() -> dict[str, str]:
    """``app.Model.field`` → why the export leaves it out (models of installed apps)."""
    installed = {config.label for config in apps.get_app_configs()}
    reasons = {
        f"{label}.{name}": str(why)
        for label, fields in NOT_EXPORTED.items()
        if label.split(".")[0] in installed
        for name, why in fields.items()
    }
    for item in parts():
        reasons |= {f"{item.model}.{name}": str(why) for name, why in item.not_exported.items()}
    return reasons
