"""``python -m workshop room``: serve-data and the room pulse, in one process on one port."""

from __future__ import annotations

import json
import time
from pathlib import Path

from workshop.checks.catalogue import exercises
from workshop.data._serve import (
    FIREWALL,
    build_server,
    cannot_listen,
    open_shares,
    print_shares,
    room_address,
    sent_summary,
    serve_until_stopped,
)
from workshop.room._protocol import CODE_ALPHABET, is_code, new_code
from workshop.room._server import RateLimiter, room_handler
from workshop.room._state import room_dir
from workshop.room._tally import Tally

__all__ = ["room_code", "room_command", "terminal_qr"]

# A room code stays the same this long, so a restarted room keeps its learners' joins.
CODE_HOURS = 12


def room_code(wanted: str | None = None, *, new: bool = False) -> str:
    """``wanted``, else the code of the last room started here in the last 12 hours, else a new
    one; kept in the room folder so that a restart keeps it."""
    path = room_dir() / "room-code.json"
    if wanted:
        code = wanted.strip().upper()
        if not is_code(code):
            raise ValueError(f"--code {wanted!r}: 4 letters from {CODE_ALPHABET}")
    else:
        code = ""
        if not new:
            try:
                saved = json.loads(path.read_text())
                if is_code(saved["code"]) and time.time() - saved["at"] < CODE_HOURS * 3600:
                    code = saved["code"]
            except (OSError, ValueError, KeyError, TypeError):
                pass
        code = code or new_code()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"code": code, "at": time.time()}))
    return code


def terminal_qr(text: str) -> str:
    """``text`` as a QR code drawn with half-block characters, or "" without ``qrcode``."""
    try:
        import qrcode
    except ImportError:
        return ""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    code.make(fit=True)
    rows = code.get_matrix()
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    # Two rows of modules per line of text, dark modules as spaces on a light background, so
    # the code reads the same in a dark or a light terminal theme.
    chars = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        lines.append("".join(chars[(a, b)] for a, b in zip(top, bottom, strict=True)))
    return "\n".join(lines)


def room_command(
    host: str = "0.0.0.0",
    port: int = 8765,
    wheelhouse: Path | None = None,
    *,
    code: str | None = None,
    new: bool = False,
    max_learners: int = 300,
    dashboard_anywhere: bool = False,
) -> int:
    """``room``: returns the process exit code."""
    try:
        room = room_code(code, new=new)
    except ValueError as bad:
        print(f"❌ {bad}")
        return 2
    shares = open_shares(wheelhouse)
    tally = Tally(exercises(), max_learners=max_learners)
    handler = room_handler(
        shares.archive,
        shares.house,
        tally=tally,
        code=room,
        limiter=RateLimiter(),
        dashboard_anywhere=dashboard_anywhere,
    )
    try:
        server = build_server(shares.archive, host, port, handler=handler)
    except OSError as exc:
        print(cannot_listen(exc, host, port, "room"))
        return 1
    real_port = server.server_address[1]
    print_shares(shares, host, real_port)
    address = room_address(host, real_port)
    join = f"{address.removeprefix('http://')}/{room}"
    tap = f"{address}/tap/{room}"
    print(f"\n📊 Room pulse, room code {room}. Learners who want to join type, in notebook 00:\n")
    print(f'    room.join("{join}")\n')
    qr = terminal_qr(tap)
    print(
        f"Phones and Colab learners (Colab cannot reach this network) tap instead: {tap}\n"
        + (qr + "\n" if qr else "")
        + f"\nYour dashboard (this computer only): http://127.0.0.1:{real_port}/dashboard"
        + f"\nThe times, as CSV for `python -m tools.schedule --measured`: "
        f"http://127.0.0.1:{real_port}/export.csv"
        + "\nCounts are kept in memory: a restart starts them from zero (the code stays).\n"
    )
    print(f"{FIREWALL}\nKeep this window open; press Ctrl+C to stop the room.")
    if serve_until_stopped(server):
        said = f"\nStopped the room; {sent_summary(server, shares.house)}."
        snapshot = tally.snapshot()
        if any(row["tried"] for row in snapshot["exercises"]):
            saved = room_dir() / f"room-{time.strftime('%Y%m%d-%H%M')}.csv"
            saved.write_text(tally.export_csv())
            said += f"\nThe pulse's times ({snapshot['joined']} learner(s)) are in {saved}"
        print(said)
    return 0
