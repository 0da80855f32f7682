"""Files the tools write from other files: write them, or (``--verify``) say that they are stale."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def refresh(path: Path, text: str, verify: bool, command: str) -> bool:
    """Make ``path`` hold ``text``; with ``verify``, only report. True when it was stale.

    ``command`` is what regenerates the file, named in the report so the reader knows the fix.
    """
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == text:
        return False
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    if verify:
        print(f"{shown} is stale: run `{command}`")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {shown}")
    return True


def with_block(text: str, start: str, end: str, block: str, what: str) -> str:
    """``text`` with the lines from ``start`` to ``end`` replaced by ``block`` (which holds both
    markers); ``what`` names the block in the error when the markers are missing."""
    if start not in text or end not in text:
        raise ValueError(f"no {start} ... {end} block for {what}")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return before + block + after
