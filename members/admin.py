"""The Django admin, for technical administrators only (is_staff). Everyone else uses /admin/."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.models import AuditEvent, Commune, CommunityGroup, Membership, StaffScope, User, Village
from members.services.privacy import ErasureReason, person_erase


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "phone", "village", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "is_superuser", "preferred_language"]
    search_fields = ["full_name", "phone"]
    raw_id_fields = ["village", "consent_recorded_by"]
    fieldsets = [
        (None, {"fields": ["phone", "password"]}),
        (_("Personal information"), {"fields": ["full_name", "village", "birth_year", "preferred_language"]}),
        (_("Consent"), {"fields": ["consent_at", "consent_version", "consent_recorded_by", "erased_at"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["phone", "full_name", "password1", "password2"]})
    ]
    readonly_fields = ["erased_at"]

    # Deleting a person erases their data (members.services.privacy): the row stays as an anonymous
    # tombstone, so that what they did still counts. The confirmation page says so.
    def get_deleted_objects(self, objs, request):
        people = [str(person) for person in objs]
        summary = [
            gettext(
                "Their name, number, e-mail, year of birth and password are removed; their sign-ins "
                "end; their certificates become stubs that verify as no longer valid."
            ),
            gettext("What they did stays, anonymous, in the statistics."),
        ]
        return [*people, summary], {_("people"): len(people)}, set(), []

    def delete_model(self, request, obj):
        person_erase(person=obj, acting_user=request.user, reason=ErasureReason.ACCOUNT_DELETED)

    def delete_queryset(self, request, queryset):
        for person in queryset.filter(erased_at__isnull=True):
            self.delete_model(request, person)

    def response_delete(self, request, obj_display, obj_id):
        # The name is gone: the message must not bring it back.
        return super().response_delete(request, gettext("(person whose data was deleted)"), obj_id)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.erased_at is None)


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["name", "code"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "has_mobile_signal"]
    list_filter = ["commune", "has_mobile_signal"]
    search_fields = ["name"]


@admin.register(CommunityGroup)
class CommunityGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "commune", "village", "is_active"]
    list_filter = ["is_active", "commune"]
    search_fields = ["code", "name"]
    raw_id_fields = ["village"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "group", "role", "joined_on", "left_on"]
    list_filter = ["role"]
    raw_id_fields = ["user", "group"]


@admin.register(StaffScope)
class StaffScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "commune", "granted_at"]
    list_filter = ["role"]
    raw_id_fields = ["user", "granted_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]
    raw_id_fields = ["actor"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
