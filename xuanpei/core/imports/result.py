"""What an import did: counts and the rejected rows, as shown on the page, the CLI and the report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from xuanpei.core.imports.changes import FieldChange

# How many errors and outcomes a page shows; the xlsx report has all of them.
PREVIEW_LIMIT = 200


@dataclass(frozen=True)
class RowError:
    """One reason a row was rejected. `row` is the Excel row number; `column` the header."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportResult:
    dry_run: bool = False
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    # First accepted rows with what would happen to them: (row, action, label).
    outcomes: list[tuple[int, str, str]] = field(default_factory=list)
    # Every field the updated rows change, old → new (the preview and the report list them).
    changes: list[FieldChange] = field(default_factory=list)
    # A failed commit (nothing written) or an unreadable file.
    error: str = ""
    # The committed import's batch (issue #10); None for a dry run or a failed commit.
    batch_id: int | None = None
    # Storage name of the batch's kept original (for a caller that rolls back later).
    batch_file: str = field(default="", repr=False)

    COUNTS = ("rows", "accepted", "rejected", "created", "updated", "unchanged")

    @property
    def ok(self) -> bool:
        return not self.error and not self.rejected

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COUNTS}

    def commit_failed(self, message: str) -> None:
        """A failed commit rolled everything back: nothing was created or updated."""
        self.error = message
        self.created = self.updated = self.unchanged = 0
        self.batch_id = None

    def to_dict(self, *, limit: int = PREVIEW_LIMIT) -> dict:
        """JSON-ready summary for a Job row (errors cut to `limit`; the report has all)."""
        return {
            **self.counts(),
            "dry_run": self.dry_run,
            "error": self.error,
            "batch_id": self.batch_id,
            "errors": [asdict(e) for e in self.errors[:limit]],
            "errors_total": len(self.errors),
            "outcomes": [list(o) for o in self.outcomes[:limit]],
            "changes": [asdict(c) for c in self.changes[:limit]],
            "changes_total": len(self.changes),
        }
