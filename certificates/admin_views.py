"""Certificates in the Wagtail admin: lists narrowed to each staff member's territory; trainers
issue (one person, a group, a commune) and revoke with a reason."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton

from certificates import rendering, services
from certificates.models import Certificate
from certificates.permissions import certificates_visible_to
from courses.models import CompetencyProfile, CoursePage
from learning.models import Enrolment
from members import permissions
from members.admin_views import ScopedIndexView, ScopedInspectView, ScopedPermissionPolicy, ScopedViewSet
from members.models import Commune, CommunityGroup, Membership, User
from members.phone import normalize_phone


def _revocable(user):
    if permissions.can_manage_certificates(user):
        return Certificate.objects.all()
    return Certificate.objects.none()


# Registered for the model in wagtail_hooks: every admin view of a certificate (index, inspect,
# history, usage, and the reports that link to one) asks it, not Django's model permissions.
CERTIFICATE_POLICY = ScopedPermissionPolicy(Certificate, view=certificates_visible_to, change=_revocable)


def warn_about_unreadable_pictures(request, issuer) -> None:
    """Tell whoever manages certificates that they are being printed without a picture."""
    unreadable = rendering.unreadable_pictures(issuer)
    if "signature" in unreadable:
        messages.warning(
            request,
            _(
                "The signature image cannot be read (its file is missing or damaged): certificates "
                "are printed without it. Upload it again in Settings → Certificate issuer."
            ),
        )
    if "seal" in unreadable:
        messages.warning(
            request,
            _(
                "The seal image cannot be read (its file is missing or damaged): certificates are "
                "printed without it. Upload it again in Settings → Certificate issuer."
            ),
        )


class CertificateIndexView(ScopedIndexView):
    related = ("course", "profile")

    def get(self, request, *args, **kwargs):
        if not self.results_only and permissions.can_manage_certificates(request.user):
            warn_about_unreadable_pictures(request, services.issuer_settings())
        return super().get(request, *args, **kwargs)

    @property
    def header_more_buttons(self):
        if not permissions.can_manage_certificates(self.request.user):
            return []
        return [
            HeaderButton(label=_("Issue certificates"), url=reverse("certificate:issue"), icon_name="plus")
        ]


class CertificateInspectView(ScopedInspectView):
    template_name = "certificates/admin/inspect.html"
    related = ("course", "profile")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_revoke"] = (
            permissions.can_manage_certificates(self.request.user) and self.object.is_valid
        )
        return context


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=255, widget=forms.Textarea(attrs={"rows": 3})
    )


def revoke(request, pk: int):
    if not permissions.can_manage_certificates(request.user):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Certificate %(serial)s is revoked.") % {"serial": certificate.serial}
            )
            return redirect("certificate:inspect", pk)
    return TemplateResponse(
        request, "certificates/admin/revoke.html", {"certificate": certificate, "form": form}
    )


def _achievement_choices():
    courses = [
        (f"course:{c.pk}", f"{c.code} · {c.title}")
        for c in CoursePage.objects.live().filter(locale__language_code="vi").order_by("code")
    ]
    profiles = [(f"profile:{p.pk}", p.name) for p in CompetencyProfile.objects.order_by("code")]
    return [(gettext_lazy("Courses"), courses), (gettext_lazy("Competency profiles"), profiles)]


class IssueForm(forms.Form):
    achievement = forms.ChoiceField(label=gettext_lazy("Certificate for"))
    target = forms.ChoiceField(
        label=gettext_lazy("Issue to"),
        widget=forms.RadioSelect,
        choices=[
            ("person", gettext_lazy("one person")),
            ("group", gettext_lazy("everyone eligible in a group")),
            ("commune", gettext_lazy("everyone eligible in a commune")),
        ],
        initial="person",
    )
    phone = forms.CharField(label=gettext_lazy("Mobile number"), required=False)
    group = forms.ModelChoiceField(
        label=gettext_lazy("Group"), queryset=CommunityGroup.objects.order_by("code"), required=False
    )
    commune = forms.ModelChoiceField(
        label=gettext_lazy("Commune"), queryset=Commune.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["achievement"].choices = _achievement_choices()

    def clean(self):
        cleaned = super().clean()
        kind, _sep, pk = cleaned.get("achievement", "").partition(":")
        if kind == "course":
            cleaned["course"], cleaned["profile"] = get_object_or_404(CoursePage, pk=pk), None
        elif kind == "profile":
            cleaned["course"], cleaned["profile"] = None, get_object_or_404(CompetencyProfile, pk=pk)
        target = cleaned.get("target")
        if target == "person":
            try:
                phone = normalize_phone(cleaned.get("phone", ""))
            except ValidationError as error:
                raise ValidationError({"phone": error.messages}) from None
            person = User.objects.filter(phone=phone).first()
            if person is None:
                raise ValidationError({"phone": _("Nobody has this mobile number.")})
            cleaned["holders"] = User.objects.filter(pk=person.pk)
        elif target == "group":
            if not cleaned.get("group"):
                raise ValidationError({"group": _("Choose a group.")})
            members = Membership.objects.active().filter(group=cleaned["group"]).values("user_id")
            cleaned["holders"] = User.objects.filter(pk__in=members)
        elif target == "commune":
            if not cleaned.get("commune"):
                raise ValidationError({"commune": _("Choose a commune.")})
            cleaned["holders"] = User.objects.filter(village__commune=cleaned["commune"])
        return cleaned


def issue(request):
    if not permissions.can_manage_certificates(request.user):
        raise PermissionDenied
    form = IssueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holders = data["holders"]
        if data["course"] is not None:
            # Only those who completed the course are candidates; a commune has thousands of people.
            completed = Enrolment.objects.filter(
                user=OuterRef("pk"), course=data["course"], completed_at__isnull=False
            )
            candidates = holders.filter(Exists(completed))
        else:
            candidates = holders.filter(competency_awards__isnull=False).distinct()
        issued, _skipped = services.issue_in_bulk(
            holders=list(candidates), course=data["course"], profile=data["profile"], acting_user=request.user
        )
        not_eligible = holders.count() - len(issued)
        if issued:
            messages.success(
                request, _("%(count)s certificate(s) issued or already held.") % {"count": len(issued)}
            )
        if not_eligible:
            messages.warning(
                request,
                _("%(count)s person(s) have not completed it yet and got none.") % {"count": not_eligible},
            )
        return redirect("certificate:index")
    return TemplateResponse(request, "certificates/admin/issue.html", {"form": form})


class CertificateViewSet(ScopedViewSet):
    model = Certificate
    policy = CERTIFICATE_POLICY
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("Certificates")
    menu_order = 170
    add_to_admin_menu = True
    name = "certificate"
    list_display = [
        "serial",
        "holder_name",
        "achievement_title",
        Column("issued_at", label=gettext_lazy("Issued")),
        "status",
    ]
    list_filter = ["status", "language"]
    search_fields = ["serial", "holder_name", "achievement_code"]
    form_fields = []
    index_view_class = CertificateIndexView
    inspect_view_class = CertificateInspectView
    READ_ONLY_VIEWS = {"index", "index_results", "inspect", "history", "history_results", "usage"}

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        patterns = [p for p in super().get_urlpatterns() if p.name in self.READ_ONLY_VIEWS]
        return [
            *patterns,
            path("issue/", issue, name="issue"),
            path("<int:pk>/revoke/", revoke, name="revoke"),
        ]
