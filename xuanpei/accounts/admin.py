"""Django admin for users (superusers only): Django's UserAdmin plus unit, enterprise, role."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from xuanpei.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "role", "unit", "enterprise", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    list_select_related = ("unit", "enterprise")
    search_fields = ("username", "first_name", "last_name", "phone")
    raw_id_fields = ("unit", "enterprise")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("宣培通"), {"fields": ("role", "unit", "enterprise", "phone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("宣培通"), {"fields": ("role", "unit", "enterprise")}),
    )
