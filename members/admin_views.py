"""Wagtail admin views for communes, villages, groups and people, narrowed to each staff member's
territory.

Who may see and change what is decided by ``members.permissions``, through one Wagtail permission
policy per model (``ScopedPermissionPolicy``); Django's model permissions play no part (the staff
groups hold none on these models). Every view of these viewsets asks it: a list shows only the rows
the user may see; an object outside them is a 404, so that its existence does not leak, in every
view that names one (inspect, edit, delete, history, usage); an object they may see but not act on
is a 403, or read-only (inspect).
"""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import BasePermissionPolicy

from members import permissions, services
from members.models import Commune, CommunityGroup, Membership, User, Village
from members.phone import format_phone


class ScopedPermissionPolicy(BasePermissionPolicy):
    """Wagtail's questions about a model ("may she see this one? change it?") answered by the rules of
    ``members.permissions``:

    - view: staff see the rows ``view(user)`` lists;
    - change: staff change the rows ``change(user)`` lists (nobody but administrators without it);
    - add: staff for whom ``add(user)`` is true (nobody but administrators without it);
    - delete, and any other action: administrators only.

    Each object check is derived from its list: an object is allowed when it is among the rows.
    """

    def __init__(self, model, *, view, change=None, add=None):
        super().__init__(model)
        self.rows = {"view": view, "change": change}
        self.add = add

    def user_has_permission(self, user, action):
        if permissions.is_administrator(user):
            return True
        if not permissions.is_staff_member(user):
            return False
        if action == "add":
            return self.add is not None and self.add(user)
        return self.rows.get(action) is not None

    def instances_user_has_any_permission_for(self, user, actions):
        manager = self.model._default_manager
        if permissions.is_administrator(user):
            return manager.all()
        listed = [self.rows[action] for action in actions if self.rows.get(action) is not None]
        if not listed or not permissions.is_staff_member(user):
            return manager.none()
        if len(listed) == 1:
            return listed[0](user)
        either = Q()
        for rows in listed:
            either |= Q(pk__in=rows(user).values("pk"))
        return manager.filter(either)

    def user_has_permission_for_instance(self, user, action, instance):
        if action not in self.rows:
            return self.user_has_permission(user, action)
        return self.instances_user_has_permission_for(user, action).filter(pk=instance.pk).exists()

    def users_with_any_permission(self, actions):
        staff_may = any(self.rows.get(action) is not None for action in actions) or (
            "add" in actions and self.add is not None
        )
        who = Q(is_superuser=True) | Q(staff_scopes__isnull=False) if staff_may else Q(is_superuser=True)
        return User.objects.filter(who, is_active=True).distinct()


class ScopedObjectMixin:
    """For views of one object: look it up among the rows the user may see (404 otherwise), then
    require one of ``object_actions`` on it (403 otherwise)."""

    object_actions: tuple[str, ...] = ("view",)

    def visible_rows(self):
        return self.permission_policy.instances_user_has_permission_for(self.request.user, "view")

    def require_object_permission(self, instance):
        if not self.permission_policy.user_has_any_permission_for_instance(
            self.request.user, self.object_actions, instance
        ):
            raise PermissionDenied
        return instance


class ScopedIndexView(generic.IndexView):
    related: tuple[str, ...] = ()

    def get_base_queryset(self):
        rows = self.permission_policy.instances_user_has_permission_for(self.request.user, "view")
        return rows.select_related(*self.related)

    def get_table(self, object_list):
        # One query for the whole page, rather than one per row, decides which rows get an edit link.
        shown = [instance.pk for instance in object_list]
        changeable = self.permission_policy.instances_user_has_permission_for(self.request.user, "change")
        self.changeable_pks = set(changeable.filter(pk__in=shown).values_list("pk", flat=True))
        return super().get_table(object_list)

    def get_edit_url(self, instance):
        if instance.pk in getattr(self, "changeable_pks", ()):
            return super().get_edit_url(instance)
        return None


class ScopedInspectView(ScopedObjectMixin, generic.InspectView):
    related: tuple[str, ...] = ()

    def get_object(self, queryset=None):
        return get_object_or_404(self.visible_rows().select_related(*self.related), pk=self.pk)

    def get_edit_url(self):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "change", self.object):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "delete", self.object):
            return super().get_delete_url()
        return None


class ScopedEditView(ScopedObjectMixin, generic.EditView):
    object_actions = ("change",)

    def get_object(self, queryset=None):
        return self.require_object_permission(super().get_object(self.visible_rows()))

    def get_delete_url(self):
        if self.permission_policy.user_has_permission_for_instance(self.request.user, "delete", self.object):
            return super().get_delete_url()
        return None


class ScopedDeleteView(ScopedObjectMixin, generic.DeleteView):
    object_actions = ("delete",)

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.require_object_permission(super().get_object(self.visible_rows()))


class ScopedHistoryView(ScopedObjectMixin, HistoryView):
    # Wagtail shows an object's history to whoever may change or delete it.
    object_actions = ("change", "delete")

    def get_base_object_queryset(self):
        return self.visible_rows()

    def get_object(self):
        return self.require_object_permission(super().get_object())


class ScopedUsageView(ScopedObjectMixin, UsageView):
    object_actions = ("change",)

    def get_base_object_queryset(self):
        return self.visible_rows()

    def get_object(self):
        return self.require_object_permission(super().get_object())


class ScopedViewSet(ModelViewSet):
    """A model viewset whose every view, and its menu item, ask ``policy``."""

    policy: ScopedPermissionPolicy
    inspect_view_enabled = True
    copy_view_enabled = False
    index_view_class = ScopedIndexView
    inspect_view_class = ScopedInspectView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(permission_policy=self.policy, **kwargs)

    @cached_property
    def menu_item_class(self):
        policy = self.policy

        class ScopedMenuItem(MenuItem):
            def is_shown(self, request):
                return policy.user_has_permission(request.user, "view")

        return ScopedMenuItem

    @cached_property
    def view_names(self) -> set[str]:
        return {pattern.name for pattern in self.get_urlpatterns()}

    @cached_property
    def url_finder_class(self):
        # Links from reports and histories lead to the page the user may open: the edit form for
        # those who may change the object, its inspect page for those who may only see it.
        viewset = self

        class ScopedURLFinder(ModelAdminURLFinder):
            def get_edit_url(self, instance):
                for action, view in (("change", "edit"), ("view", "inspect")):
                    if view in viewset.view_names and (
                        self.user is None
                        or viewset.policy.user_has_permission_for_instance(self.user, action, instance)
                    ):
                        return reverse(viewset.get_url_name(view), args=(quote(instance.pk),))
                return None

        return ScopedURLFinder


# Communes: public reference data, read-only for everyone but administrators -----------------------

COMMUNE_POLICY = ScopedPermissionPolicy(Commune, view=permissions.communes_visible_to)


class CommuneIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(
                village_count=Count("villages", distinct=True),
                group_count=Count("groups", distinct=True),
            )
        )


class CommuneViewSet(ScopedViewSet):
    model = Commune
    policy = COMMUNE_POLICY
    icon = "site"
    menu_label = _("Communes")
    add_to_admin_menu = False
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
    index_view_class = CommuneIndexView


# Villages: those of the user's territory, read-only for everyone but administrators ---------------

VILLAGE_POLICY = ScopedPermissionPolicy(Village, view=permissions.villages_managed_by)


class VillageIndexView(ScopedIndexView):
    related = ("commune",)


class VillageViewSet(ScopedViewSet):
    model = Village
    policy = VILLAGE_POLICY
    icon = "home"
    menu_label = _("Villages")
    add_to_admin_menu = False
    list_display = ["name", "commune", "has_mobile_signal"]
    list_filter = ["commune", "has_mobile_signal"]
    search_fields = ["name", "commune__name"]
    form_fields = ["commune", "name", "has_mobile_signal"]
    index_view_class = VillageIndexView


# Community groups -------------------------------------------------------------------------------

GROUP_POLICY = ScopedPermissionPolicy(
    CommunityGroup,
    view=permissions.groups_visible_to,
    change=permissions.groups_managed_by,
    # The form offers only the communes the user manages.
    add=permissions.is_staff_member,
)


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
    related = ("commune", "village__commune")

    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(active_member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        )


class GroupInspectView(ScopedInspectView):
    related = ("commune", "village__commune")
    template_name = "members/admin/group_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Former members who moved out of the territory are no longer the user's to see.
        context["roster"] = (
            Membership.objects.filter(
                group=self.object, user__in=permissions.members_visible_to(self.request.user)
            )
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
    def get_form_class(self):
        return CommunityGroupEditForm

    def save_instance(self):
        return services.group_update(
            group=self.form.instance, changed=self.form.changed_data, acting_user=self.request.user
        )


class CommunityGroupViewSet(ScopedViewSet):
    model = CommunityGroup
    policy = GROUP_POLICY
    icon = "group"
    menu_label = _("Community groups")
    add_to_admin_menu = False
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


# People: read-only here; accounts are an administrator's, in Settings → Users -------------------

# Not registered for the User model: Wagtail's own user views keep Django's model permissions,
# which only administrators hold.
PEOPLE_POLICY = ScopedPermissionPolicy(User, view=permissions.members_visible_to)


class PersonIndexView(ScopedIndexView):
    related = ("village__commune",)


class PersonInspectView(ScopedInspectView):
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


class PersonViewSet(ScopedViewSet):
    READ_ONLY_VIEWS = {"index", "index_results", "inspect", "history", "history_results", "usage"}
    model = User
    policy = PEOPLE_POLICY
    name = "people"
    icon = "user"
    menu_label = _("People")
    add_to_admin_menu = False
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

    def register_admin_url_finder(self):
        # Links to a person lead to Wagtail's user editor (administrators only), as Wagtail registers.
        pass


class CommunityViewSetGroup(ModelViewSetGroup):
    menu_label = _("Community")
    menu_icon = "group"
    menu_order = 150
    items = (CommuneViewSet, VillageViewSet, CommunityGroupViewSet, PersonViewSet)
