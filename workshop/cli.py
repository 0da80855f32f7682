"""Command line: ``python -m workshop doctor | fetch | serve-data | room``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

# Where `make wheelhouse` writes, relative to the project folder `make serve-data` runs in; a
# literal rather than an import of workshop.wheelhouse, which only serve-data needs.
DEFAULT_WHEELHOUSE = Path("build") / "wheelhouse"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m workshop", description="Tools for the CNN workshop."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("doctor", help="say whether this computer is ready for the workshop")
    # The doctor's old name, left out of the help: an old printout still leads to the new one.
    sub.add_parser("check")
    fetch = sub.add_parser(
        "fetch", help="download CIFAR-10 into the cache before the workshop (verified by SHA-256)"
    )
    fetch.add_argument(
        "--from",
        dest="source",
        metavar="URL_OR_PATH",
        help="take the archive from a local file (USB stick) or a classmate's serve-data URL",
    )
    serve = sub.add_parser(
        "serve-data",
        help="share your verified CIFAR-10 archive (and the workshop's wheelhouse, to install "
        "without internet) with the room's network",
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    serve.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    serve.add_argument(
        "--wheelhouse",
        metavar="DIR",
        type=Path,
        help=f"the folder `make wheelhouse` made (default: {DEFAULT_WHEELHOUSE} where it exists)",
    )
    room = sub.add_parser(
        "room",
        help="serve-data plus the room pulse: a live, anonymous dashboard of the exercises",
    )
    room.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    room.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    room.add_argument("--wheelhouse", metavar="DIR", type=Path, help="as for serve-data")
    room.add_argument(
        "--code", help="the room code (4 letters); default: the last one, kept for 12 hours"
    )
    room.add_argument("--new-code", action="store_true", help="start with a new room code")
    room.add_argument(
        "--max-learners", type=int, default=300, help="learners the room counts (default: 300)"
    )
    room.add_argument(
        "--dashboard-anywhere",
        action="store_true",
        help="let any computer on the network open the dashboard (default: this one only)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "doctor":
        from workshop.doctor import run_doctor

        return run_doctor()
    if args.command == "check":
        from workshop.commands import workshop_command

        print(f"`check` is now `doctor`: run `{workshop_command('doctor')}`")
        return 2
    if args.command == "fetch":
        from workshop.data import fetch_command

        return fetch_command(args.source)
    wheelhouse = args.wheelhouse
    if wheelhouse is None and DEFAULT_WHEELHOUSE.is_dir():
        wheelhouse = DEFAULT_WHEELHOUSE
    if args.command == "room":
        from workshop.room._command import room_command

        return room_command(
            args.host,
            args.port,
            wheelhouse,
            code=args.code,
            new=args.new_code,
            max_learners=args.max_learners,
            dashboard_anywhere=args.dashboard_anywhere,
        )
    from workshop.data import serve_command

    return serve_command(args.host, args.port, wheelhouse=wheelhouse)


if __name__ == "__main__":
    sys.exit(main())
