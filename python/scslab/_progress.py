"""Progress bars (tqdm: a text bar in terminals, a widget in notebooks), off by default when
neither a terminal nor a notebook is watching, and off everywhere with
``scslab.options.progress = False`` or ``SCSLAB_PROGRESS=0``."""

from __future__ import annotations

import os
import sys
from typing import Callable, Optional


class Options:
    """Package-wide settings.

    Attributes:
        progress: ``True`` always shows progress bars, ``False`` never, ``None`` (the default)
            shows them in terminals and notebooks only.
    """

    def __init__(self) -> None:
        env = os.environ.get("SCSLAB_PROGRESS")
        self.progress: Optional[bool] = None if env is None else env not in ("0", "false", "no", "")


options = Options()


def _watched() -> bool:
    try:
        from IPython import get_ipython  # type: ignore

        shell = get_ipython()
        if shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell":
            return True
    except Exception:
        pass
    return sys.stderr is not None and sys.stderr.isatty()


def wanted(progress: Optional[bool]) -> bool:
    """Whether to show a bar, given a call's ``progress=`` argument."""
    if progress is not None:
        return progress
    if options.progress is not None:
        return options.progress
    return _watched()


class Bar:
    """A tqdm bar driven by the extension's ``on_progress(phase, done, total)`` callback."""

    def __init__(self, description: str, unit: str) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(total=0, desc=description, unit=unit, leave=False, dynamic_ncols=True)

    def __call__(self, phase: int, done: int, total: int) -> None:
        if self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        if phase == 2:
            self._bar.set_postfix_str("writing")
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()


def callback(progress: Optional[bool], description: str, unit: str) -> Optional[Bar]:
    """A bar if one is wanted, else ``None``."""
    return Bar(description, unit) if wanted(progress) else None


def call_with(bar: Optional[Bar], fn: Callable, *args, **kwargs):
    """Calls ``fn(*args, on_progress=bar, **kwargs)`` and closes the bar whatever happens."""
    try:
        return fn(*args, on_progress=bar, **kwargs)
    finally:
        if bar is not None:
            bar.close()
