"""A room of 30 laptops getting CIFAR-10 from one laptop's serve-data over a slow shared link.

serve-data runs as its own process on 127.0.0.1, started as the instructor starts it, and shares
an archive of the real size (170,498,071 random, incompressible bytes; the test-only
WORKSHOP_CIFAR10_SHA256 makes their hash the expected one, as the tests do). Between it and the
laptops sits a :class:`~benchmarks.throttled_link.ThrottledLink`: every byte of every download
draws on one token bucket, so the downloads share the rate as laptops share a room's access
point. The laptops all start at once, each a thread running the real download code
(``workshop.data._fetch._download``: stream, SHA-256 on the way, fsync, rename) into its own
cache folder. The link cuts a few of them half-way; those run the same fetch again at once and
continue from where they stopped, as a learner whose Wi-Fi dropped re-runs the command.

"last verified" is the figure the schedule needs: when the last laptop holds a verified archive,
counted from the moment all of them started. "link used" is the bytes that crossed the link per
second over the configured rate: near 100 % means the link, not this machine, set the pace.

``--scale S`` shrinks the archive (not the rate) by S, and the seconds measured are divided by S
to give the full-size figures: this assumes the time grows with the bytes, which holds while the
link sets the pace; fixed costs (connecting, a resume re-hashing what it kept) are multiplied by
1/S with the rest, so a scaled run can only overstate the time. The default (scale 0.1, 100 and
50 Mbit/s) takes about 2 minutes; ``--scale 1`` is the full-size run (30 x 170 MB = 5.1 GB through
the link: about 7 minutes at 100 Mbit/s, and 5.1 GB of disk in the temp folder).

    python -m benchmarks.bench_classroom_data [--rates 100 50] [--scale 0.1] [--laptops 30]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import os
import re
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import markdown_table
from benchmarks.throttled_link import ThrottledLink, mbit_to_bytes
from tests.cifar_fixtures import ServeData
from workshop.data import DataUnavailableError, _fetch
from workshop.data._cache import ARCHIVE_NAME, OFFICIAL_SIZE
from workshop.data._partial import partial_path
from workshop.data._verify import sha256_of

# The schedule: serve-data starts during 01 (0:05-0:10), the first break is at 1:01.
WINDOW_MIN = 50
MAX_ATTEMPTS = 4


@dataclass
class Laptop:
    ok: bool
    seconds: float  # from the common start until it holds a verified archive (or gave up)
    attempts: int
    kept: int  # bytes its dropped download had kept, which the next fetch continued from
    error: str = ""


@dataclass
class RoomRun:
    rate_mbit: float
    scale: float
    size: int
    laptops: list[Laptop]
    link_bytes: int
    link_cuts: int
    resumed_on_server: int
    server_peak_mb: float | None
    server_cpu_s: float | None
    harness_cpu_s: float
    load_before: float
    hash_mismatches: int


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far, where the system tells it."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cut_schedule(laptops: int, drops: int, size: int):
    """Cut ``drops`` of the first ``laptops`` connections (spread out) half-way through the body.

    All laptops connect at once, so connections 0..laptops-1 are their first tries; the retries
    come later and are left alone.
    """
    chosen = set(range(0, laptops, max(1, laptops // drops))[:drops]) if drops else set()
    return lambda i: size // 2 if i in chosen else None


def _run_room(
    archive: Path,
    digest: str,
    folder: Path,
    rate_mbit: float,
    scale: float,
    laptops: int,
    drops: int,
) -> RoomRun:
    size = archive.stat().st_size
    instructor = folder / "instructor"
    (instructor / "datasets").mkdir(parents=True)
    os.link(archive, instructor / "datasets" / ARCHIVE_NAME)
    load_before = os.getloadavg()[0]
    with _environment(
        KERAS_HOME=str(instructor), WORKSHOP_CIFAR10_SHA256=digest, WORKSHOP_FETCH_TIMEOUT="30"
    ):
        server = ServeData()  # hashes the archive first, as the instructor's does
        link = ThrottledLink(
            ("127.0.0.1", server.port),
            mbit_to_bytes(rate_mbit),
            cut_after=_cut_schedule(laptops, drops, size),
        )
        url = f"http://127.0.0.1:{link.port}/{server.url.rsplit('/', 1)[1]}"
        began: list[float] = []
        gate = threading.Barrier(laptops, action=lambda: began.append(time.monotonic()))

        def laptop(i: int) -> Laptop:
            target = folder / f"laptop{i:02d}" / ARCHIVE_NAME
            target.parent.mkdir()
            gate.wait(timeout=60)
            kept = 0
            for attempt in range(1, MAX_ATTEMPTS + 1):
                try:
                    verdict = _fetch._download(url, target)
                except DataUnavailableError as exc:
                    if "dropped in the middle" not in str(exc):
                        return Laptop(False, time.monotonic() - began[0], attempt, kept, str(exc))
                    part = partial_path(target)
                    kept = part.stat().st_size if part.exists() else 0
                    continue  # the learner runs the same command again
                error = "" if verdict else f"wrong SHA-256 {verdict.sha256}"
                return Laptop(bool(verdict), time.monotonic() - began[0], attempt, kept, error)
            return Laptop(False, time.monotonic() - began[0], MAX_ATTEMPTS, kept, "gave up")

        server_cpu = _cpu_seconds(server.proc.pid)
        own_cpu = _own_cpu_seconds()
        results: list[Laptop | None] = [None] * laptops

        def run_laptop(i: int) -> None:
            try:
                results[i] = laptop(i)
            except Exception as exc:  # counted as a failure, not lost with its thread
                results[i] = Laptop(False, time.monotonic() - (began or [0.0])[0], 0, 0, repr(exc))

        # Thirty progress bars and "Resuming at ..." lines would bury the table.
        quiet = io.StringIO()
        try:
            with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                threads = [threading.Thread(target=run_laptop, args=(i,)) for i in range(laptops)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
            harness_cpu = _own_cpu_seconds() - own_cpu
            after = _cpu_seconds(server.proc.pid)
            server_cpu = (
                after - server_cpu if after is not None and server_cpu is not None else None
            )
            with contextlib.suppress(AssertionError):  # its last lines may lag the laptops a bit
                server.wait_for("sent the rest of the archive (from byte", link.cuts, seconds=5)
            peak = server.peak_memory_mb()
        finally:
            link.close()
            log = server.stop()
    if "Traceback" in log:
        print(f"(serve-data printed a traceback:)\n{log}")
    mismatches = 0
    for i, result in enumerate(results):
        target = folder / f"laptop{i:02d}" / ARCHIVE_NAME
        if (
            result is not None
            and result.ok
            and (not target.is_file() or sha256_of(target) != digest)
        ):
            mismatches += 1  # outside the clock: the fetch's own check is what counts above
    for i in range(laptops):
        shutil.rmtree(folder / f"laptop{i:02d}", ignore_errors=True)
    shutil.rmtree(instructor, ignore_errors=True)
    return RoomRun(
        rate_mbit=rate_mbit,
        scale=scale,
        size=size,
        laptops=[r for r in results if r is not None],
        link_bytes=link.bytes_down,
        link_cuts=link.cuts,
        resumed_on_server=len(re.findall(r"sent the rest of the archive \(from byte", log)),
        server_peak_mb=peak,
        server_cpu_s=server_cpu,
        harness_cpu_s=harness_cpu,
        load_before=load_before,
        hash_mismatches=mismatches,
    )


def _link_used(run: RoomRun) -> float:
    """Bytes through the link per second until the last laptop finished, over the link's rate."""
    last = max(r.seconds for r in run.laptops)
    return run.link_bytes / last / mbit_to_bytes(run.rate_mbit)


def _row(run: RoomRun) -> dict:
    done = sorted(r.seconds for r in run.laptops if r.ok)
    failures = sum(not r.ok for r in run.laptops) + run.hash_mismatches
    last = max(r.seconds for r in run.laptops)
    resumed = sum(r.ok and r.attempts > 1 for r in run.laptops)

    def full_size(seconds: float) -> str:
        return f"{seconds / run.scale / 60:.1f}"

    return {
        "link (Mbit/s)": f"{run.rate_mbit:g}",
        "archive (MB)": f"{run.size / 1e6:.1f}",
        "laptops": len(run.laptops),
        "cut, resumed": f"{run.link_cuts}, {resumed} ({run.resumed_on_server} on serve-data)",
        "last verified (s, measured)": f"{last:.1f}",
        "first / median / last at 170 MB (min)": (
            f"{full_size(done[0])} / {full_size(done[len(done) // 2])} / {full_size(last)}"
            if done
            else f"- / - / {full_size(last)}"
        ),
        "room MB/s": f"{run.link_bytes / 1e6 / last:.2f}",
        "link used": f"{100 * _link_used(run):.0f} %",
        "goodput": f"{100 * _goodput(run):.0f} %",
        "serve-data peak MB": f"{run.server_peak_mb:.0f}" if run.server_peak_mb else "-",
        "serve-data CPU (s)": f"{run.server_cpu_s:.1f}" if run.server_cpu_s is not None else "-",
        "laptops+link CPU (s)": f"{run.harness_cpu_s:.0f}",
        "load avg": f"{run.load_before:.2f}",
        "failures": failures,
    }


def _goodput(run: RoomRun) -> float:
    """Archive bytes delivered per second until the last laptop finished, over the link's rate.

    Everything the room costs beyond the archive itself (HTTP, resuming, connecting, the
    slowest laptop's wait) lowers it; a scaled run counts its fixed costs at 1/S their weight.
    """
    last = max(r.seconds for r in run.laptops)
    return len(run.laptops) * run.size / last / mbit_to_bytes(run.rate_mbit)


def _projection(runs: list[RoomRun], laptops: int) -> tuple[list[dict], float]:
    """Minutes for the room at other rates, at the worst goodput seen; and the slowest rate.

    The slowest rate is the one at which the room still finishes within the window.
    """
    used = min(_goodput(run) for run in runs)
    total = laptops * OFFICIAL_SIZE
    rows = []
    for rate in (100, 50, 20, 15, 10):
        minutes = total / (mbit_to_bytes(rate) * used) / 60
        rows.append(
            {
                "room's shared rate (Mbit/s)": f"{rate:g}",
                f"{laptops} x 170.5 MB takes (min)": f"{minutes:.0f}",
                f"done within {WINDOW_MIN} min": "yes" if minutes <= WINDOW_MIN else "no",
            }
        )
    slowest = total * 8 / (WINDOW_MIN * 60 * used) / 1e6
    return rows, slowest


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 50], help="Mbit/s")
    parser.add_argument("--scale", type=float, default=0.1, help="archive size factor (0.1: 17 MB)")
    parser.add_argument("--laptops", type=int, default=30)
    parser.add_argument("--drops", type=int, default=5, help="laptops cut half-way that resume")
    args = parser.parse_args([] if argv is None else argv)
    if not 0 < args.scale <= 1 or args.drops > args.laptops:
        parser.error("--scale must be in (0, 1] and --drops at most --laptops")
    print(
        f"Measured {datetime.date.today().isoformat()}; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} at the start, on {os.cpu_count()} cores."
    )
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        archive = folder / "archive.bin"
        archive.write_bytes(np.random.default_rng(0).bytes(round(OFFICIAL_SIZE * args.scale)))
        digest = sha256_of(archive)
        for rate in args.rates:
            runs.append(
                _run_room(
                    archive,
                    digest,
                    folder / f"room{rate:g}",
                    rate,
                    args.scale,
                    args.laptops,
                    args.drops,
                )
            )
    rows = [_row(run) for run in runs]
    print(markdown_table(rows, list(rows[0])))
    print(
        f"\nBy arithmetic, at the lowest goodput measured above "
        f"({100 * min(_goodput(run) for run in runs):.0f} % of the link's rate; "
        f"{args.laptops} laptops, {WINDOW_MIN} minutes from serve-data to the first break):\n"
    )
    projection, slowest = _projection(runs, args.laptops)
    print(markdown_table(projection, list(projection[0])))
    print(f"\nThe room needs a shared rate of at least {slowest:.0f} Mbit/s.")
    return rows


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
