"""The exceptions scslab raises. The Rust extension raises these very classes (it imports this
module), with the messages the command-line program prints."""

from __future__ import annotations

from typing import List, Optional

__all__ = ["ScslabError", "ScenarioError", "RunError", "SweepError", "PanicError"]


class ScslabError(Exception):
    """Base class of every scslab error."""


class ScenarioError(ScslabError, ValueError):
    """A scenario, a sweep file or a setting was refused.

    Attributes:
        message: what is wrong, what was expected and the valid choices, in words.
        file: the file (or ``preset:NAME``) the error points into, if any.
        line, column: 1-based position in that file, if any.
        expected: what the message says was expected, if it says.
        choices: the valid choices the message lists (empty if none).
        rendered: the error as the CLI prints it (message, source excerpt, caret).
    """

    def __init__(
        self,
        message: str,
        *,
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        expected: Optional[str] = None,
        choices: Optional[List[str]] = None,
        rendered: Optional[str] = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.expected = expected
        self.choices = list(choices or [])
        self.rendered = rendered or message
        located = f"{file}:{line}:{column}: " if file and line is not None else (f"{file}: " if file else "")
        super().__init__(located + message)


class RunError(ScslabError, RuntimeError):
    """A run could not start or finish (memory, output folder, threads, a run file...).

    Attributes:
        kind: ``memory``, ``output``, ``folder``, ``threads``, ``run_file``, ``checkpoint``,
            ``no_checkpoint``, ``trace``, ``interrupted`` or ``name``.
    """

    def __init__(self, message: str, *, kind: str = "run") -> None:
        self.kind = kind
        super().__init__(message)


class SweepError(ScslabError, RuntimeError):
    """A sweep could not start or finish (a folder of another sweep, a failed run...)."""


class PanicError(ScslabError, RuntimeError):
    """The Rust code panicked: a bug in scslab (please report it). The interpreter stays usable."""
