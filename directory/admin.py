"""Admin: the directory's data is read-only here (it comes from the data file); only the link
between a person and a user account is edited, through ``services.person_link_user``."""

from __future__ import annotations

from django.contrib import admin

from . import models, services


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "phone", "user"]
    search_fields = ["full_name", "search_text"]
    fields = ["key", "full_name", "phone", "email", "source", "user"]
    readonly_fields = ["key", "full_name", "phone", "email", "source"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.person_link_user(person=obj, user=form.cleaned_data.get("user"))


for model, columns in (
    (models.Source, ["key", "title", "file_name", "date"]),
    (models.Organisation, ["name_en", "kind"]),
    (models.Unit, ["name_en", "organisation"]),
    (models.Position, ["key", "title_en", "is_head", "workflow_role", "is_current"]),
    (models.Portfolio, ["key", "is_current"]),
    (models.Partner, ["name_en", "relationship", "status"]),
    (models.PartnerStatement, ["key", "status", "is_current"]),
    (models.Network, ["name_en", "acronym", "kind"]),
    (models.NetworkMembership, ["key", "relation"]),
    (models.Representation, ["name_en", "kind", "country"]),
    (models.DirectoryLoad, ["loaded_at", "file_name", "created", "updated", "deleted"]),
    (models.DirectoryChange, ["load", "action", "model", "key"]),
    (models.RoleGrant, ["user", "role", "person", "granted_at", "revoked_at"]),
):
    admin.site.register(
        model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,), {"list_display": columns})
    )
