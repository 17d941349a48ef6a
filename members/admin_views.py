"""Wagtail admin views for communes, groups and people, narrowed to each staff member's territory.

Lists show only what ``members.permissions`` lets the user see; an object outside that is a 404;
editing needs the right to manage it, otherwise the object is read-only (inspect only).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from members import permissions, services
from members.models import Commune, CommunityGroup, Membership, User, Village
from members.phone import format_phone


class _Scoped:
    """Mixin: the model's rows narrowed by a ``visible(user)`` and ``manageable(user, obj)`` pair."""

    visible = None
    manageable = None
    related = ()

    def scoped_queryset(self):
        return type(self).visible(self.request.user).select_related(*self.related)

    def can_manage(self, instance) -> bool:
        return type(self).manageable is not None and type(self).manageable(self.request.user, instance)


class ScopedIndexView(_Scoped, generic.IndexView):
    def get_base_queryset(self):
        return self.scoped_queryset()

    def get_edit_url(self, instance):
        if self.can_manage(instance):
            return super().get_edit_url(instance)
        return None


class ScopedInspectView(_Scoped, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_queryset(), pk=self.pk)

    def get_edit_url(self):
        if self.can_manage(self.object):
            return super().get_edit_url()
        return None


class ScopedEditView(_Scoped, generic.EditView):
    def get_object(self, queryset=None):
        instance = get_object_or_404(self.scoped_queryset(), pk=self.kwargs[self.pk_url_kwarg])
        if not self.can_manage(instance):
            raise PermissionDenied
        return instance


# Communes: public reference data, read-only for everyone but administrators -----------------------


class CommuneViewSet(ModelViewSet):
    model = Commune
    icon = "site"
    menu_label = _("Communes")
    add_to_admin_menu = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "name",
        "code",
        "kind",
        Column("village_count", label=_("Villages")),
        Column("group_count", label=_("Groups")),
    ]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    form_fields = ["code", "name", "kind"]
    inspect_view_fields = ["code", "name", "kind"]
    index_view_class = type(
        "CommuneIndexView",
        (generic.IndexView,),
        {
            "get_base_queryset": lambda self: Commune.objects.annotate(
                village_count=Count("villages", distinct=True),
                group_count=Count("groups", distinct=True),
            )
        },
    )


# Villages ---------------------------------------------------------------------------------------


class VillageViewSet(ModelViewSet):
    model = Village
    icon = "home"
    menu_label = _("Villages")
    add_to_admin_menu = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = ["name", "commune", "has_mobile_signal"]
    list_filter = ["commune", "has_mobile_signal"]
    search_fields = ["name", "commune__name"]
    form_fields = ["commune", "name", "has_mobile_signal"]
    index_view_class = type(
        "VillageIndexView",
        (generic.IndexView,),
        {"get_base_queryset": lambda self: Village.objects.select_related("commune")},
    )


# Community groups -------------------------------------------------------------------------------


class CommunityGroupForm(WagtailAdminModelForm):
    """Communes and villages offered are those the user manages."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        communes = permissions.communes_managed_by(for_user)
        if "commune" in self.fields:
            self.fields["commune"].queryset = communes
        if "village" in self.fields:
            commune_ids = [self.instance.commune_id] if self.instance.pk else communes.values("id")
            self.fields["village"].queryset = Village.objects.filter(
                commune_id__in=commune_ids
            ).select_related("commune")

    class Meta:
        model = CommunityGroup
        fields = ["code", "name", "commune", "village", "is_active"]


class CommunityGroupEditForm(CommunityGroupForm):
    class Meta:
        model = CommunityGroup
        fields = ["name", "village", "is_active"]


class GroupIndexView(ScopedIndexView):
    visible = staticmethod(permissions.groups_visible_to)
    manageable = staticmethod(permissions.can_manage_group)
    related = ("commune", "village")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(active_member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        )


class GroupInspectView(ScopedInspectView):
    visible = staticmethod(permissions.groups_visible_to)
    manageable = staticmethod(permissions.can_manage_group)
    related = ("commune", "village")
    template_name = "members/admin/group_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["roster"] = (
            Membership.objects.filter(group=self.object)
            .select_related("user")
            .order_by("left_on", "role", "user__full_name")
        )
        context["can_see_roster"] = permissions.can_manage_group(self.request.user, self.object)
        return context


class GroupCreateView(generic.CreateView):
    def get_form_class(self):
        return CommunityGroupForm

    def save_instance(self):
        data = self.form.cleaned_data
        return services.group_create(
            code=data["code"],
            name=data["name"],
            commune=data["commune"],
            village=data.get("village"),
            acting_user=self.request.user,
        )


class GroupEditView(ScopedEditView):
    visible = staticmethod(permissions.groups_visible_to)
    manageable = staticmethod(permissions.can_manage_group)
    related = ("commune", "village")

    def get_form_class(self):
        return CommunityGroupEditForm

    def save_instance(self):
        return services.group_update(
            group=self.form.instance, changed=self.form.changed_data, acting_user=self.request.user
        )


class CommunityGroupViewSet(ModelViewSet):
    model = CommunityGroup
    icon = "group"
    menu_label = _("Community groups")
    add_to_admin_menu = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "name",
        "code",
        "commune",
        "village",
        Column("active_member_count", label=_("Members")),
        "is_active",
    ]
    list_filter = ["commune", "is_active"]
    search_fields = ["name", "code", "village__name"]
    form_fields = ["code", "name", "commune", "village", "is_active"]
    inspect_view_fields = ["code", "name", "commune", "village", "is_active", "created_at"]
    index_view_class = GroupIndexView
    inspect_view_class = GroupInspectView
    add_view_class = GroupCreateView
    edit_view_class = GroupEditView


# People -----------------------------------------------------------------------------------------


def _can_manage_person(user, person) -> bool:
    # People edit their own profile; an administrator handles the rest in Settings → Users.
    return False


class PersonIndexView(ScopedIndexView):
    visible = staticmethod(permissions.members_visible_to)
    manageable = staticmethod(_can_manage_person)
    related = ("village__commune",)


class PersonInspectView(ScopedInspectView):
    visible = staticmethod(permissions.members_visible_to)
    manageable = staticmethod(_can_manage_person)
    related = ("village__commune",)
    template_name = "members/admin/person_inspect.html"

    def get_phone_display_value(self):
        return format_phone(self.object.phone)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = (
            Membership.objects.filter(user=self.object)
            .select_related("group__commune")
            .order_by("left_on", "group__code")
        )
        return context


class PersonViewSet(ModelViewSet):
    READ_ONLY_VIEWS = {"index", "index_results", "inspect", "history", "history_results", "usage"}
    model = User
    name = "people"
    icon = "user"
    menu_label = _("People")
    add_to_admin_menu = False
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "full_name",
        Column("phone_display", label=_("Mobile number")),
        "village",
        Column("commune_name", label=_("Commune"), accessor="village.commune.name"),
    ]
    list_filter = ["village__commune", "preferred_language"]
    search_fields = ["full_name", "phone"]
    form_fields = ["full_name", "village", "birth_year", "preferred_language"]
    inspect_view_fields = [
        "full_name",
        "phone",
        "village",
        "birth_year",
        "preferred_language",
        "consent_at",
        "date_joined",
    ]
    index_view_class = PersonIndexView
    inspect_view_class = PersonInspectView

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            add_url_name=None, edit_url_name=None, delete_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        # People are added through sign-up, a group leader or Settings → Users; never here.
        return [p for p in super().get_urlpatterns() if p.name in self.READ_ONLY_VIEWS]


class CommunityViewSetGroup(ModelViewSetGroup):
    menu_label = _("Community")
    menu_icon = "group"
    menu_order = 150
    items = (CommuneViewSet, VillageViewSet, CommunityGroupViewSet, PersonViewSet)
