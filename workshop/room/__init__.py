"""The room pulse: the instructor sees, live and anonymously, how the room does on each exercise.

A learner joins in notebook 00 with the line on the projector::

    from workshop import room
    room.join("192.168.1.5:8765/ACDE")

and from then on each checker call sends the exercise, ✅ or ❌ and the try number to the
instructor's ``python -m workshop room``; nothing else, and nothing at all without a join.
"""

from workshop.room._client import join, joined, leave, status

__all__ = ["join", "joined", "leave", "status"]
