"""Workforce pages: io (URL names follow <model>_list|_detail|_add|_edit|_import|_export)."""

urlpatterns: list = []
