"""The one error the data package raises to learners, and the ways forward it offers."""

from __future__ import annotations

from workshop.commands import workshop_command
from workshop.data._cache import SERVE_NAME


class DataUnavailableError(RuntimeError):
    """CIFAR-10 could not be provided. The message is for the learner: what happened, what next."""


def next_steps() -> str:
    """Every way to get the archive without this network, and the stand-in as a last resort."""
    return (
        "Next step, any one of:\n"
        f"  - on a network that works, before the workshop:  {workshop_command('fetch')}\n"
        "  - from the instructor or a classmate running serve-data:\n"
        f"      {workshop_command(f'fetch --from http://THEIR-IP:8765/{SERVE_NAME}')}\n"
        f"  - from a USB stick:  {workshop_command(f'fetch --from /path/to/{SERVE_NAME}')}\n"
        "  - or carry on with the drawn stand-in: set WORKSHOP_DATA=synthetic before starting"
        " Jupyter"
    )


def fail(what: str, steps: str | None = None) -> DataUnavailableError:
    """``what`` happened, then the next steps (``steps=""`` when ``what`` already says them)."""
    return DataUnavailableError(f"{what}\n{steps if steps is not None else next_steps()}")


def with_note(exc: DataUnavailableError, note: str) -> DataUnavailableError:
    """``exc`` with ``note`` added to what happened, before the next steps."""
    what, sep, steps = str(exc).partition("\nNext step")
    return DataUnavailableError(f"{what} {note}{sep}{steps}")
