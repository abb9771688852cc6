"""Scenarios: presets, TOML files and text, read and checked by scslab's scenario reader."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

from . import _native

__all__ = ["Scenario", "presets"]


def presets() -> List[Tuple[str, str]]:
    """The embedded presets, as ``[(name, description)]``."""
    return [tuple(p) for p in _native.presets()]


class Scenario:
    """A checked scenario: its TOML text and where it came from.

    Build one with :meth:`preset` or :meth:`from_toml`. Keys are read and set by dotted path,
    ``sc["behaviour.fear_perception"] = 0.4``; an element of an array of tables is named by its
    index or its ``name`` (``sc["authority.court_defaulters.detect.judgment_default"]``). Every
    change is checked by the scenario reader at once: a refused value raises
    :class:`scslab.ScenarioError` (file, line, column, expected, choices) and changes nothing.
    """

    __slots__ = ("_text", "_origin", "_info")

    def __init__(self, text: str, origin: str = "<string>") -> None:
        self._info: Dict[str, Any] = _native.check(text, origin)
        self._text = text
        self._origin = origin

    @classmethod
    def preset(cls, name: str) -> "Scenario":
        """The embedded preset ``name`` (see :func:`scslab.presets`)."""
        return cls(_native.preset_text(name), f"preset:{name}")

    @classmethod
    def from_toml(cls, source: Union[str, "os.PathLike[str]"]) -> "Scenario":
        """A scenario from a TOML file (a path) or from TOML text (a string with a newline or ``=``)."""
        if isinstance(source, os.PathLike) or ("\n" not in source and "=" not in source):
            path = Path(source)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as e:
                from .errors import ScenarioError

                raise ScenarioError(f"cannot read scenario file {path}: {e}", file=str(path)) from None
            return cls(text, str(path))
        return cls(source, "<string>")

    @property
    def name(self) -> str:
        """``[scenario] name``: a slug, also the CLI's default output folder name."""
        return self._info["name"]

    @property
    def description(self) -> str:
        """The one-line description."""
        return self._info["description"]

    @property
    def origin(self) -> str:
        """Where it came from: ``preset:NAME``, a file path or ``<string>``."""
        return self._origin

    @property
    def people(self) -> int:
        """Persons in the scenario (``run(people=...)`` overrides it)."""
        return self._info["people"]

    @property
    def days(self) -> int:
        """Days simulated (``run(days=...)`` overrides it)."""
        return self._info["days"]

    @property
    def seed(self) -> int:
        """The seed (``run(seed=...)`` overrides it)."""
        return self._info["seed"]

    def __getitem__(self, key: str) -> Any:
        return _native.get_key(self._text, self._origin, key)

    def __setitem__(self, key: str, value: Any) -> None:
        text = _native.set_key(self._text, self._origin, key, value)
        self._info = _native.check(text, self._origin)
        self._text = text

    def __delitem__(self, key: str) -> None:
        self.__setitem__(key, None)

    def __contains__(self, key: str) -> bool:
        try:
            self[key]
        except KeyError:
            return False
        return True

    def copy(self) -> "Scenario":
        """An independent copy (setting a key of it leaves this one unchanged)."""
        return Scenario(self._text, self._origin)

    def to_toml(self, path: Union[str, "os.PathLike[str]", None] = None) -> str:
        """The scenario's TOML text; also written to ``path`` if given. A scenario whose keys
        were set is the reader's re-serialization of the document (comments are not kept)."""
        if path is not None:
            Path(path).write_text(self._text, encoding="utf-8")
        return self._text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and other._text == self._text

    def __repr__(self) -> str:
        return (
            f"Scenario({self.name!r}: {self.people} people, {self.days} days, seed {self.seed}; "
            f"from {self._origin})"
        )
