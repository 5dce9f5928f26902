from django.contrib import admin

from .models import ApiToken, OidcIdentity


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (or `manage.py create_api_token`); only a hash is
    stored, so the admin shows who holds which and when it was used, nothing more."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__username", "name")
    exclude = ("key_hash",)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ApiToken._meta.fields if f.name != "key_hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """Staff are never linked automatically: an operator links a staff member's federal
    identity (the provider's issuer and the identifier it sends) to their account here."""

    list_display = ("subject", "issuer", "user", "linked_at", "last_sign_in_at")
    search_fields = ("subject", "user__username", "user__email")
    raw_id_fields = ("user",)
    readonly_fields = ("linked_at", "last_sign_in_at")
