"""Django admin for the orgs app: superusers only, a back door for data repair.

Everyday work happens in the scoped pages; the admin is not scoped, so only
superusers reach it (Django admin requires is_staff, and no role grants it).
"""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from xuanpei.orgs.models import Enterprise, Sector, Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "kind", "code", "short_name")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "high_risk", "sort_order")
    list_editable = ("sort_order",)
    list_filter = ("high_risk",)
    search_fields = ("name", "code")
    filter_horizontal = ("default_departments",)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "unit", "sector", "risk_level", "scale", "is_active")
    list_filter = ("is_active", "risk_level", "scale", "sector")
    search_fields = ("name", "uscc")
    list_select_related = ("unit", "sector")
    raw_id_fields = ("unit",)
    filter_horizontal = ("departments",)
    readonly_fields = ("created_at", "updated_at", "created_by")
