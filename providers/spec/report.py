"""Collects the diagnostics of one file, with the line of every field path."""

from __future__ import annotations

from typing import Literal

from providers.spec.model import Diagnostic, FieldPath, format_path


class FileReport:
    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: dict[FieldPath, int] = {}
        self.diagnostics: list[Diagnostic] = []
        # Paths an error already explains. A later, generic schema error at or under one of them
        # would only repeat it less helpfully, so it is dropped.
        self._claimed: set[FieldPath] = set()

    def record_line(self, path: FieldPath, line: int) -> None:
        # First writer wins: explicit keys are recorded before keys merged in with `<<`.
        self.lines.setdefault(path, line)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of `path`, or of its nearest ancestor that the file has (for missing fields)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def error(self, path: FieldPath, message: str, line: int | None = None) -> None:
        self._claimed.add(path)
        self._add("error", path, message, line)

    def warning(self, path: FieldPath, message: str, line: int | None = None) -> None:
        self._add("warning", path, message, line)

    def claim(self, path: FieldPath) -> None:
        """Mark `path` as explained by an error reported elsewhere (e.g. a typo of its key)."""
        self._claimed.add(path)

    def is_claimed(self, path: FieldPath) -> bool:
        return any(path[:end] in self._claimed for end in range(len(path) + 1))

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def _add(
        self, severity: Literal["error", "warning"], path: FieldPath, message: str, line: int | None
    ) -> None:
        where = line if line is not None else self.line_of(path)
        diagnostic = Diagnostic(severity, self.file, where, format_path(path), message)
        if diagnostic not in self.diagnostics:  # an anchor used twice must not say the same thing twice
            self.diagnostics.append(diagnostic)
