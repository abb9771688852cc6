"""Type stubs of the Rust extension ``scslab._native`` (crates/scslab-py). Use the ``scslab``
package's API; these functions are its building blocks."""

from typing import Any, Callable, Dict, List, Optional, Tuple

__version__: str

ProgressCallback = Callable[[int, int, int], Any]
"""``on_progress(phase, done, total)``: phase 1 running (days or runs done of total), 2 writing."""

def presets() -> List[Tuple[str, str]]: ...
def preset_text(name: str) -> str: ...
def check(text: str, file: str) -> Dict[str, Any]: ...
def get_key(text: str, file: str, key: str) -> Any: ...
def set_key(text: str, file: str, key: str, value: Any) -> str: ...
def run(
    text: str,
    origin: str,
    out: str,
    *,
    people: Optional[int] = None,
    days: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    against: Optional[Tuple[str, str]] = None,
    overwrite: bool = False,
    command: str = "",
    checkpoint_every: Optional[int] = None,
    memory_limit: Optional[int] = None,
    on_progress: Optional[ProgressCallback] = None,
) -> int: ...
def require_finished(dir: str) -> None: ...
def trace(
    dir: str, *, person: Optional[int] = None, company: Optional[int] = None
) -> Tuple[str, str, List[Tuple[str, str]]]: ...
def sweep_check(path: str) -> Dict[str, Any]: ...
def sweep_plan(
    path: str, out: str, *, independent: bool = False, workers: int = 1
) -> List[Tuple[str, int, int, int, int, bool]]: ...
def sweep_run_one(path: str, out: str, id: str, *, independent: bool = False) -> bool: ...
def sweep(
    path: str,
    out: str,
    *,
    workers: int = 0,
    independent: bool = False,
    command: str = "",
    on_progress: Optional[ProgressCallback] = None,
) -> int: ...
def panic_on_worker(message: str) -> None: ...
