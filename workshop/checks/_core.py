"""The machinery every exercise checker shares: compare, name the mistake, give tiered hints.

A wrong answer first gets a nudge (a question that points at what to look at), a second wrong
answer also gets the formula, and the answer itself only comes from ``solution()``, when the
learner asks for it. Answers that a known misconception produces (the depth of a kernel
forgotten, the bias forgotten, "reduced by a quarter"...) get a message that names it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Choice", "Exercise", "Mistake", "compare"]


def _unanswered(answer: Any) -> bool:
    return answer is None or answer is Ellipsis


def _looks_like_number(text: str) -> bool:
    try:
        float(text.replace(",", "").replace("_", ""))
    except ValueError:
        return False
    return True


def _wrong_type(answer: Any, expected: Any) -> str | None:
    """Name a string typed where a bool, a number, a tuple or an array belongs."""
    if not isinstance(answer, str) or isinstance(expected, str):
        return None
    if isinstance(expected, bool):
        return (
            f"{answer!r} is a string (text in quotes), not a bool: write True or False "
            "without quotes. Careful: any non-empty string, even 'False', counts as true"
        )
    if isinstance(expected, tuple):
        return (
            f"{answer!r} is a string, not a tuple: write the numbers in parentheses without "
            "quotes, e.g. (2, 3, 4)"
        )
    if np.ndim(expected) == 0:
        if _looks_like_number(answer):
            return f"{answer!r} is a string (text in quotes), not a number: remove the quotes"
        return f"{answer!r} is a string: the answer is a number"
    return f"{answer!r} is a string: the answer is an array of numbers"


def compare(answer: Any, expected: Any, atol: float = 1e-6) -> str | None:
    """Return ``None`` when ``answer`` matches ``expected``, else a short reason."""
    wrong_type = _wrong_type(answer, expected)
    if wrong_type is not None:
        return wrong_type
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


@dataclass(frozen=True)
class Mistake:
    """A wrong answer that a known misconception produces, and what to say about it.

    ``answer`` is the wrong value itself, or a predicate ``answer -> bool`` (for answers that
    are functions or that only share a property, such as "every value is the average").
    """

    answer: Any
    says: str

    def matches(self, answer: Any, atol: float = 1e-6) -> bool:
        if callable(self.answer):
            try:
                return bool(self.answer(answer))
            except Exception:  # a learner's odd answer must not crash the checker
                return False
        try:
            return compare(answer, self.answer, atol) is None
        except Exception:
            return False


class Exercise:
    """A checker a notebook calls as ``check.name(answer)``.

    It prints ✅ when right. When wrong it prints ❌, the reason (naming the misconception when
    the answer is a known one) and a hint: a nudge on the first wrong try, the formula as well
    from the second. ``check.name.solution()`` prints and returns the expected value.
    """

    def __init__(
        self,
        name: str,
        expected: Any | Callable[[], Any],
        hint: str,
        *,
        formula: str = "",
        mistakes: Sequence[Mistake] = (),
        atol: float = 1e-6,
        comparer: Callable[[Any, Any], str | None] | None = None,
        explain: str = "",
    ) -> None:
        self.name = name
        self._expected = expected
        self.hint = hint
        self.formula = formula
        self.mistakes = tuple(mistakes)
        self.atol = atol
        self._comparer = comparer
        self.explain = explain
        self.wrong_tries = 0

    @property
    def expected(self) -> Any:
        return self._expected() if callable(self._expected) else self._expected

    def misconception(self, answer: Any) -> str | None:
        """What a known wrong ``answer`` says about the learner's thinking, if it is known."""
        return next((m.says for m in self.mistakes if m.matches(answer, self.atol)), None)

    def reason(self, answer: Any) -> str | None:
        """Why ``answer`` is wrong, or ``None`` when it is right."""
        if _unanswered(answer):
            return "no answer yet: replace the `...` with your answer"
        if self._comparer is not None:
            why = self._comparer(answer, self.expected)
        else:
            why = compare(answer, self.expected, self.atol)
        if why is None:
            return None
        return self.misconception(answer) or why

    def passed(self, answer: Any) -> bool:
        return self.reason(answer) is None

    def reset(self) -> None:
        """Forget the wrong tries, so the next wrong answer gets the first hint again."""
        self.wrong_tries = 0

    def feedback(self, answer: Any) -> str:
        """The text ``check.name(answer)`` prints; counts a wrong try."""
        return self._feedback(answer, self.reason(answer))

    def _feedback(self, answer: Any, why: str | None) -> str:
        if why is None:
            extra = f" {self.explain}" if self.explain else ""
            return f"✅ {self.name}: correct.{extra}"
        lines = [f"❌ {self.name}: {why}."]
        if _unanswered(answer):
            return lines[0]
        self.wrong_tries += 1
        lines.append(f"   Hint: {self.hint}")
        if self.wrong_tries >= 2:
            if self.formula:
                lines.append(f"   Formula: {self.formula}")
            lines.append(f"   Still stuck? check.{self.name}.solution() shows the answer.")
        return "\n".join(lines)

    def __call__(self, answer: Any) -> None:
        why = self.reason(answer)
        print(self._feedback(answer, why))
        if not _unanswered(answer):
            _report(self, passed=why is None)

    def solution(self) -> Any:
        value = self.expected
        print(f"{self.name}: expected {value!r}")
        return value

    def __repr__(self) -> str:
        return f"<exercise {self.name}: call it with your answer>"


class Choice(Exercise):
    """A multiple-choice question: ``check.name.ask()`` prints it, ``check.name("b")`` answers.

    Every wrong option says what believing it would mean, so the distractors teach too.
    """

    def __init__(
        self,
        name: str,
        question: str,
        options: dict[str, str],
        answer: str,
        why_not: dict[str, str],
        *,
        hint: str,
        explain: str = "",
    ) -> None:
        letters = set(options)
        if answer not in letters or set(why_not) != letters - {answer}:
            raise ValueError(f"{name}: why_not must explain every option except {answer!r}")
        self.question = question
        self.options = dict(options)
        mistakes = [
            Mistake(lambda a, letter=letter: _letter(a) == letter, f"({letter}) {why}")
            for letter, why in why_not.items()
        ]
        super().__init__(
            name, answer, hint, mistakes=mistakes, comparer=self._compare_letter, explain=explain
        )

    def _compare_letter(self, answer: Any, expected: Any) -> str | None:
        letter = _letter(answer)
        if letter not in self.options:
            return f"answer with one letter: {', '.join(repr(k) for k in self.options)}"
        return None if letter == expected else "not this one"

    def ask(self) -> None:
        """Print the question and its options."""
        print(self.question)
        for letter, text in self.options.items():
            print(f"  ({letter}) {text}")
        print(f"Answer with check.{self.name}('<letter>').")


def _report(exercise: Exercise, passed: bool) -> None:
    """Tell the room, when this kernel joined one; the import waits until a checker is used,
    and the room's client never raises (a checker must answer whatever the network does)."""
    from workshop.room._client import joined, report

    try:
        if joined() is None:  # the usual case: one stat of a file that is not there
            return
        from workshop.checks.catalogue import exercise_id

        ident = exercise_id(exercise)
    except Exception:
        return
    if ident is not None:
        report(ident, passed)


def _letter(answer: Any) -> str | None:
    if not isinstance(answer, str):
        return None
    return answer.strip().strip("()").strip().lower() or None
