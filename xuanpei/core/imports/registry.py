"""Importers and exporters by name, so `xuanpei import <name>` needs no edit per app.

Each app declares its importers and exporters in `<app>/importers.py`; the
modules are imported on the first look-up (like Django's admin autodiscovery).
"""

from __future__ import annotations

from django.utils.module_loading import autodiscover_modules

_importers: dict[str, type] = {}
_exporters: dict[str, type] = {}
_discovered = False


def register_importer(cls):
    """Class decorator: make an Importer available under `cls.name`."""
    _importers[cls.name] = cls
    return cls


def register_exporter(cls):
    """Class decorator: make an Exporter available under `cls.name`."""
    _exporters[cls.name] = cls
    return cls


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("importers")
        _discovered = True


def get_importer(name: str):
    _discover()
    return _importers[name]


def get_exporter(name: str):
    _discover()
    return _exporters[name]


def importer_names() -> list[str]:
    _discover()
    return sorted(_importers)


def exporter_names() -> list[str]:
    _discover()
    return sorted(_exporters)
