"""The machinery every exercise checker shares: compare, print ✅ or ❌, give a hint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Exercise", "compare"]


def _unanswered(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def compare(answer: Any, expected: Any, atol: float = 1e-6) -> str | None:
    """Return ``None`` when ``answer`` matches ``expected``, else a short reason."""
    if isinstance(expected, str):
        if not isinstance(answer, str):
            return f"expected text, got {type(answer).__name__}"
        return None if answer.strip().lower() == expected.strip().lower() else "not this one"
    if isinstance(expected, bool):
        return None if answer is expected or answer == expected else "not this one"
    if isinstance(expected, tuple) and all(isinstance(v, (int, type(None))) for v in expected):
        got = tuple(answer) if isinstance(answer, (tuple, list)) else answer
        if got == expected:
            return None
        if isinstance(got, tuple) and len(got) != len(expected):
            return f"expected {len(expected)} entries, got {len(got)}"
        return "not this one"
    try:
        got = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {type(answer).__name__}"
    want = np.asarray(expected, dtype=float)
    if got.shape != want.shape:
        return f"shape {got.shape} should be {want.shape}"
    if not np.allclose(got, want, atol=atol, rtol=1e-5):
        wrong = int(np.sum(~np.isclose(got, want, atol=atol, rtol=1e-5)))
        return "not this value" if want.ndim == 0 else f"{wrong} of {want.size} values differ"
    return None


class Exercise:
    """A checker a notebook calls as ``check.name(answer)``.

    It prints one line: ✅ when right, ❌ with a reason and a hint when wrong.
    ``check.name.solution()`` prints and returns the expected value.
    """

    def __init__(
        self,
        name: str,
        expected: Any | Callable[[], Any],
        hint: str,
        *,
        atol: float = 1e-6,
        comparer: Callable[[Any, Any], str | None] | None = None,
        explain: str = "",
    ) -> None:
        self.name = name
        self._expected = expected
        self.hint = hint
        self.atol = atol
        self._comparer = comparer
        self.explain = explain

    @property
    def expected(self) -> Any:
        return self._expected() if callable(self._expected) else self._expected

    def reason(self, answer: Any) -> str | None:
        """Why ``answer`` is wrong, or ``None`` when it is right."""
        if _unanswered(answer):
            return "no answer yet: replace the `...` with your answer"
        if self._comparer is not None:
            return self._comparer(answer, self.expected)
        return compare(answer, self.expected, self.atol)

    def passed(self, answer: Any) -> bool:
        return self.reason(answer) is None

    def __call__(self, answer: Any) -> None:
        why = self.reason(answer)
        if why is None:
            extra = f" {self.explain}" if self.explain else ""
            print(f"✅ {self.name}: correct.{extra}")
        else:
            print(
                f"❌ {self.name}: {why}.\n   Hint: {self.hint}\n"
                f"   Stuck? check.{self.name}.solution() shows the expected value."
            )

    def solution(self) -> Any:
        value = self.expected
        print(f"{self.name}: expected {value!r}")
        return value

    def __repr__(self) -> str:
        return f"<exercise {self.name}: call it with your answer>"
