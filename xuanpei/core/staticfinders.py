"""The front-end files the pages use, and only those, from the npm packages (settings.VENDOR_STATIC).

The packages' dist/ folders hold ten times what the templates load (ECharts alone ships
51 MB of builds and source maps). Exposing whole folders made `collectstatic` hash and
compress all of it (gzip and brotli) on every deployment and put unused copies of every
library on the web server. Each entry lists the files by pattern instead; a source map is
listed with the file that names it, because the manifest storage refuses a reference to a
missing file.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    """Finds `<prefix>/<file>` for the files of settings.VENDOR_STATIC's patterns."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries: list[tuple[str, Path, tuple[str, ...], FileSystemStorage]] = []
        for prefix, (root, patterns) in settings.VENDOR_STATIC.items():
            storage = FileSystemStorage(location=str(root))
            storage.prefix = prefix  # collectstatic puts the files under it
            self.entries.append((prefix, Path(root), tuple(patterns), storage))

    def _files(self, root: Path, patterns: tuple[str, ...]) -> list[str]:
        if not root.is_dir():
            return []
        found = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        return sorted(f for f in found if any(fnmatch.fnmatchcase(f, p) for p in patterns))

    def check(self, **kwargs):
        # A pattern that matches nothing is a template's missing script: say so at start-up.
        return [
            Error(
                f"前端文件缺失：{prefix}/{pattern} 在 {root} 中不存在（先运行 make install）",
                id="xuanpei.E020",
            )
            for prefix, root, patterns, _ in self.entries
            for pattern in patterns
            if not any(fnmatch.fnmatchcase(f, pattern) for f in self._files(root, (pattern,)))
        ]

    def find(self, path, find_all=False, **kwargs):
        matches = []
        for prefix, root, patterns, _ in self.entries:
            if not path.startswith(prefix + "/"):
                continue
            rel = path[len(prefix) + 1 :]
            if any(fnmatch.fnmatchcase(rel, p) for p in patterns) and (root / rel).is_file():
                full = str(root / rel)
                if not find_all:
                    return full
                matches.append(full)
        return matches

    def list(self, ignore_patterns):
        for _prefix, root, patterns, storage in self.entries:
            for rel in self._files(root, patterns):
                if not matches_patterns(rel, ignore_patterns or []):
                    yield rel, storage
