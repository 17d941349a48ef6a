"""Erasing a person's data from the Wagtail admin: the staff's erase view (reached from the person's
page under Community → People), and Wagtail's own Settings → Users delete, single and bulk, which
both go through the same erasure (``members.services.privacy.person_erase``).

Who may: ``members.permissions.can_erase_person`` (a commune officer for their commune, a trainer or
an administrator for the province, never a group leader; staff accounts only by an administrator).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.users.views.bulk_actions import DeleteBulkAction
from wagtail.users.views.users import DeleteView as WagtailUserDeleteView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from members import permissions
from members.models import Membership
from members.services.privacy import ErasureReason, person_erase


class EraseForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why"),
        choices=[(value, label) for value, label in ErasureReason.choices if value != "account_deleted"],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "For the record, for example how the request reached you. Do not write the person's name or "
            "number: they are removed."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I checked that this is the right person. Deleting cannot be undone."),
        error_messages={"required": gettext_lazy("Tick this box to confirm.")},
    )


class ErasePersonView(WagtailAdminTemplateMixin, FormView):
    template_name = "members/admin/erase_person.html"
    form_class = EraseForm
    header_icon = "bin"
    page_title = gettext_lazy("Delete a person's data")

    def dispatch(self, request, *args, **kwargs):
        # Outside the staff member's territory the person does not exist for them (404).
        self.person = get_object_or_404(
            permissions.members_visible_to(request.user).select_related("village__commune"),
            pk=kwargs["pk"],
            erased_at__isnull=True,
        )
        if not permissions.can_erase_person(request.user, self.person):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.person.full_name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("people:index"), "label": _("People")},
            {"url": reverse("people:inspect", args=[self.person.pk]), "label": self.person.full_name},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["person"] = self.person
        context["memberships"] = (
            Membership.objects.active()
            .filter(user=self.person)
            .select_related("group")
            .order_by("group__code")
        )
        context["certificate_count"] = self.person.certificates.count()
        return context

    def form_valid(self, form):
        try:
            erasure = person_erase(
                person=self.person,
                acting_user=self.request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        kept = sum(erasure.kept.values()) - 1
        messages.success(
            self.request,
            _("The person's data was deleted. %(kept)d records stay, anonymous, for the statistics.")
            % {"kept": kept},
        )
        return redirect("people:index")


def urlpatterns():
    return [path("<int:pk>/", ErasePersonView.as_view(), name="erase")]


# Wagtail's own Settings → Users ----------------------------------------------------------------


class UserDeleteView(WagtailUserDeleteView):
    """Settings → Users → Delete opens the erasure form: an account is never deleted outright, and
    the form asks for the reason the record needs. A POST here changes nothing."""

    def dispatch(self, request, *args, **kwargs):
        return redirect("members_erase:erase", pk=self.object.pk)


class UserViewSet(WagtailUserViewSet):
    delete_view_class = UserDeleteView


class EraseUsersBulkAction(DeleteBulkAction):
    """Settings → Users, several ticked → Delete: each person's data is erased instead, with
    "an administrator deleted the account" as the reason. Registered after Wagtail's own delete
    action, which it replaces (``members.wagtail_hooks``)."""

    def check_perm(self, obj):
        return permissions.can_erase_person(self.request.user, obj)

    def get_execution_context(self):
        return {**super().get_execution_context(), "acting_user": self.request.user}

    @classmethod
    def execute_action(cls, objects, acting_user=None, **kwargs):
        for person in objects:
            person_erase(person=person, acting_user=acting_user, reason=ErasureReason.ACCOUNT_DELETED)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "The data of %(count)d person was deleted.",
            "The data of %(count)d people were deleted.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
