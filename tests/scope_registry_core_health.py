"""Scope registry entries of the health probes (issue #14 item 6, core/health.py)."""

EXEMPT_ROUTES = {
    "healthz": "健康探针：只回答“ok”，不读数据库，不含任何业务数据",
    "readyz": "就绪探针：只列出各项检查（数据库、缓存、任务进程）是否正常，不含任何业务数据",
}
