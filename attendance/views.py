"""Pages for group leaders on their phones: their groups, rosters with progress, invitations waiting
for an answer, sessions, taking attendance (with one tap per person, offline too:
static/attendance/leader.js) and summaries.

Every page works without JavaScript: attendance is then a form of radio buttons.
"""

import csv
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from attendance.models import AttendanceMark, Session
from attendance.selectors import attendance_summary, roster, sessions_with_counts, statuses_for
from attendance.services import MarkInput, SessionInput, attendance_sync
from members import lookups, permissions, selectors, services
from members.exports import safe_cell
from members.models import CommunityGroup, GroupInvitation, Membership
from members.phone import format_phone
from members.services import passwords


def _managed_group(request, code: str) -> CommunityGroup:
    group = get_object_or_404(CommunityGroup.objects.select_related("commune", "village"), code=code)
    if not permissions.can_manage_group(request.user, group):
        raise PermissionDenied
    return group


@login_required
def my_groups(request):
    groups = list(
        selectors.groups_with_counts(permissions.groups_managed_by(request.user)).order_by("code")[:200]
    )
    if len(groups) == 1:
        return redirect("attendance:group", code=groups[0].code)
    return render(request, "attendance/groups.html", {"groups": groups})


def _group_page(request, group: CommunityGroup, *, refused: tuple | None = None, status: int = 200):
    """The group page; ``refused`` is ``(invitation id, message, code typed)`` when a code was refused,
    shown next to that invitation with what was typed."""
    invitations = list(selectors.open_invitations_of_group(group))
    for invitation in invitations:
        if refused and invitation.pk == refused[0]:
            invitation.refusal, invitation.typed = refused[1], refused[2]
    members = list(roster(group))
    context = {
        "group": group,
        "roster": members,
        "sessions": sessions_with_counts(group, limit=20),
        "invitations": invitations,
        "resettable": _resettable(request.user, members),
    }
    return render(request, "attendance/group.html", context, status=status)


@login_required
def group(request, code: str):
    return _group_page(request, _managed_group(request, code))


def _resettable(user, members) -> set[int]:
    """Whom of these members ``user`` may give a password reset code (one query)."""
    people = permissions.people_resettable_by(user).filter(pk__in=[m.user_id for m in members])
    return set(people.values_list("pk", flat=True))


@require_POST
@login_required
def reset_code(request, code: str, user_id: int):
    """A one-time code for a member who forgot their password, shown once, big, to read out to them."""
    group = _managed_group(request, code)
    membership = get_object_or_404(
        Membership.objects.active().select_related("user"), group=group, user_id=user_id
    )
    issued = passwords.reset_code_issue(person=membership.user, acting_user=request.user)
    response = render(
        request,
        "members/reset_code.html",
        {"person": membership.user, "issued": issued, "back": reverse("attendance:group", args=[group.code])},
    )
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def member_left(request, code: str, membership_id: int):
    group = _managed_group(request, code)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id, group=group)
    try:
        services.membership_end(membership=membership, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s has left the group.") % {"name": str(membership.user)})
    return redirect("attendance:group", code=group.code)


def _group_invitation(request, group: CommunityGroup, invitation_id: int) -> GroupInvitation:
    invitations = permissions.invitations_managed_by(request.user).filter(group=group)
    return get_object_or_404(invitations, pk=invitation_id)


@require_POST
@login_required
def invitation_enter_code(request, code: str, invitation_id: int):
    """The form "Nhập mã": the invited person, next to the leader, reads out the code shown on their
    own phone; the leader types it here, and the person joins."""
    group = _managed_group(request, code)
    invitation = _group_invitation(request, group, invitation_id)
    typed = request.POST.get("code", "")[:32]
    if (limit := lookups.code_entry_refused(request)) is not None:
        return _group_page(request, group, refused=(invitation.pk, limit.message, typed), status=429)
    try:
        services.invitation_accept_by_code(invitation=invitation, code=typed, acting_user=request.user)
    except ValidationError as error:
        refused = (invitation.pk, " ".join(error.messages), typed)
        return _group_page(request, group, refused=refused, status=400)
    messages.success(request, _("The code is right: the person has joined the group."))
    return redirect("attendance:group", code=group.code)


@require_POST
@login_required
def invitation_cancel(request, code: str, invitation_id: int):
    group = _managed_group(request, code)
    invitation = _group_invitation(request, group, invitation_id)
    try:
        services.invitation_cancel(invitation=invitation, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The invitation for %(phone)s was cancelled.") % {"phone": invitation.phone_hint}
        )
    return redirect("attendance:group", code=group.code)


class SessionForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=200)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=150, required=False)
    uuid = forms.UUIDField(widget=forms.HiddenInput, required=False)


@login_required
def session_new(request, code: str):
    group = _managed_group(request, code)
    now = timezone.localtime()
    form = SessionForm(
        request.POST or None, initial={"date": now.date(), "time": now.replace(minute=0).time()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at = timezone.make_aware(timezone.datetime.combine(data["date"], data["time"]))
        result = attendance_sync(
            user=request.user,
            sessions=[
                SessionInput(
                    data["uuid"] or uuid.uuid4(), group.code, starts_at, data["topic"], data["place"]
                )
            ],
            marks=[],
        )
        outcome = result.sessions[0]
        if outcome.outcome == "rejected":
            form.add_error(None, outcome.message)
        else:
            return redirect("attendance:session", code=group.code, session_uuid=outcome.uuid)
    return render(request, "attendance/session_new.html", {"group": group, "form": form})


@login_required
def session(request, code: str, session_uuid):
    """Take attendance. Without JavaScript: a radio button per person and one "Save"."""
    group = _managed_group(request, code)
    session = get_object_or_404(Session, uuid=session_uuid, group=group)
    members = list(roster(group, include_former=True))
    day = timezone.localdate(session.starts_at)
    on_roster = [m for m in members if m.joined_on <= day and (m.left_on is None or m.left_on >= day)]
    current = statuses_for(session)
    if request.method == "POST":
        now = timezone.now()
        marks = [
            MarkInput(uuid.uuid4(), session.uuid, m.user_id, request.POST[f"m-{m.user_id}"], now, "web")
            for m in on_roster
            if request.POST.get(f"m-{m.user_id}") and request.POST[f"m-{m.user_id}"] != current.get(m.user_id)
        ]
        result = attendance_sync(user=request.user, sessions=[], marks=marks)
        refused = [o for o in result.marks if o.outcome == "rejected"]
        for message in dict.fromkeys(o.message for o in refused):  # each reason once
            messages.error(request, message)
        if not refused:
            messages.success(request, _("Attendance saved."))
        return redirect("attendance:session", code=group.code, session_uuid=session.uuid)
    return render(
        request,
        "attendance/session.html",
        {
            "group": group,
            "session": session,
            "started": session.has_started(),
            "people": [(m, current.get(m.user_id, "")) for m in on_roster],
            "statuses": AttendanceMark.Status.choices,
        },
    )


@login_required
def summary(request, code: str):
    group = _managed_group(request, code)
    lines = attendance_summary(group)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="diem-danh-{group.code}.csv"'
        response.write("\ufeff")  # so that Excel opens Vietnamese text as UTF-8
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Full name"),
                _("Mobile number"),
                _("Role"),
                _("Sessions attended"),
                _("Sessions held"),
                _("Last seen"),
                _("Left on"),
            ]
        )
        for line in lines:
            membership = line.membership
            writer.writerow(
                [
                    safe_cell(str(membership.user)),
                    format_phone(membership.user.phone),
                    membership.get_role_display(),
                    line.attended,
                    line.sessions,
                    timezone.localtime(line.last_seen).strftime("%d/%m/%Y") if line.last_seen else "",
                    membership.left_on.strftime("%d/%m/%Y") if membership.left_on else "",
                ]
            )
        return response
    return render(request, "attendance/summary.html", {"group": group, "lines": lines})


@login_required
def session_offline(request, code: str):
    """The attendance page for a session planned on the phone and not yet sent: the roster of today;
    the session itself comes from the phone's outbox (static/attendance/leader.js)."""
    group = _managed_group(request, code)
    today = timezone.localdate()
    members = [m for m in roster(group) if m.joined_on <= today]
    return render(
        request,
        "attendance/session.html",
        {
            "group": group,
            "session": None,
            "people": [(m, "") for m in members],
            "statuses": AttendanceMark.Status.choices,
        },
    )
