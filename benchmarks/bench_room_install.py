"""A room installing the workshop from serve-data's wheelhouse: 30 laptops at once, on loopback.

serve-data runs as its own process, as the instructor starts it, on the wheelhouse of one kind
of laptop: the real one when ``make wheelhouse`` has made build/wheelhouse (its Linux x86_64
set for this Python if there, else its first), else generated files of the measured sizes of
the Linux x86_64 / Python 3.11 set (sparse files: the page cache serves them, as it serves a
real wheelhouse after the first laptop). Each laptop is a thread doing what pip does, minus the
hashing and the writing: it reads each project page of the index, then every wheel of the set,
one after another. Loopback has no radio: the figure is what serve-data itself can give, an
upper bound; the room's network decides the real time (the arithmetic is printed below).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from benchmarks.common import markdown_table
from workshop.wheelhouse import DEFAULT_FOLDER, MANIFEST, sha256_file, wheel_project

ROOT = Path(__file__).resolve().parents[1]
LAPTOPS = (1, 10, 30)
# The Linux x86_64 / Python 3.11 set as make wheelhouse downloaded it (constraints.txt of this
# commit): its 12 largest wheels in bytes, then how many more and their total.
MEASURED_LARGEST = [572_440_367, 24_515_943, 17_334_944, 16_918_164, 10_196_845, 9_854_405,
                    7_391_081, 7_140_667, 5_493_829, 5_374_857, 4_885_980, 4_516_618]  # fmt: skip
MEASURED_REST = (117, 711_429_026 - sum(MEASURED_LARGEST))
# Typical throughput actually shared by everyone on one access point (Mbit/s): a busy
# 802.11n/ac room, and a good 100 Mbit/s one.
ROOM_LINKS = (50, 100)


def _real_set(folder: Path) -> tuple[Path, list[str], str] | None:
    """The files of one laptop kind in a wheelhouse made by make wheelhouse, if there is one."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    targets = manifest.get("targets") or []
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    preferred = [t for t in targets if t.get("platform") == "linux_x86_64"]
    chosen = ([t for t in preferred if t.get("python") == python] or preferred or targets)[:1]
    if not chosen:
        return None
    files = [f for f in chosen[0]["files"] if (folder / f).is_file()]
    return folder, files, f"{chosen[0]['label']}, Python {chosen[0]['python']} (real wheels)"


def _generated_set(folder: Path) -> tuple[Path, list[str], str]:
    """Files named like wheels, of the measured sizes (sparse: no disk written)."""
    count, rest = MEASURED_REST
    sizes = MEASURED_LARGEST + [rest // count] * (count - 1) + [rest - rest // count * (count - 1)]
    names = []
    for n, size in enumerate(sizes):
        name = f"project{n:03d}-1.0-py3-none-any.whl"
        with open(folder / name, "wb") as fh:
            fh.truncate(size)
        names.append(name)
    # serve-data reads a wheel's hash and Requires-Python from wheelhouse.json while the file
    # is unchanged: these are not zips, so it must find them there.
    records = {}
    for name in names:
        info = (folder / name).stat()
        records[name] = {"size": info.st_size, "mtime_ns": info.st_mtime_ns,
                         "sha256": sha256_file(folder / name), "requires_python": None}  # fmt: skip
    (folder / MANIFEST).write_text(json.dumps({"targets": [], "files": records}))
    return folder, names, "Linux x86_64, Python 3.11 (generated files of the measured sizes)"


class _Server:
    def __init__(self, folder: Path, home: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "workshop", "serve-data", "--host", "127.0.0.1", "--port", "0",
             "--wheelhouse", str(folder)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
            env={**os.environ, "KERAS_HOME": str(home), "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        said = []
        for line in self.proc.stdout:
            said.append(line)
            if "press Ctrl+C" in line:
                break
        found = re.search(r"Sharing on port (\d+)", "".join(said))
        if not found:
            raise RuntimeError("".join(said))
        self.port = int(found.group(1))
        # Its further lines (one per big wheel sent) must not fill the pipe and stall it.
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _laptop(port: int, files: list[str], got: list[int]) -> None:
    """One learner's pip: each wheel's project page, then the wheel (serve-data answers in
    HTTP/1.0, one connection per request; http.client opens the next one by itself)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    buffer = memoryview(bytearray(1 << 20))
    total = 0
    for name in files:
        project = wheel_project(name)
        for path in (f"/simple/{project}/", f"/files/{quote(name)}"):
            conn.request("GET", path)
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")
            while n := response.readinto(buffer):
                total += n
    conn.close()
    got.append(total)


def _room(port: int, files: list[str], laptops: int) -> tuple[float, int]:
    got: list[int] = []
    threads = [
        threading.Thread(target=_laptop, args=(port, files, got), daemon=True)
        for _ in range(laptops)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    seconds = time.perf_counter() - started
    if len(got) != laptops:
        raise RuntimeError(f"only {len(got)} of {laptops} laptops finished")
    return seconds, sum(got)


def main() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        found = _real_set(ROOT / DEFAULT_FOLDER)
        if found is None:
            (Path(tmp) / "wheelhouse").mkdir()
            found = _generated_set(Path(tmp) / "wheelhouse")
        folder, files, what = found
        per_laptop = sum((folder / f).stat().st_size for f in files)
        server = _Server(folder, Path(tmp) / "no-archive")
        try:
            for laptops in LAPTOPS:
                seconds, sent = _room(server.port, files, laptops)
                rows.append(
                    {
                        "laptops at once": laptops,
                        "GB sent": f"{sent / 1e9:.1f}",
                        "seconds": f"{seconds:.1f}",
                        "MB/s in all": f"{sent / 1e6 / seconds:,.0f}",
                    }
                )
        finally:
            server.stop()
    print(f"Wheelhouse: {what}, {len(files)} files, {per_laptop / 1e6:,.0f} MB per laptop.\n")
    columns = ["laptops at once", "GB sent", "seconds", "MB/s in all"]
    print(markdown_table(rows, columns))
    room = LAPTOPS[-1] * per_laptop
    print(
        f"\nLoopback is the upper bound (no radio). In the room, {LAPTOPS[-1]} laptops need "
        f"{room / 1e9:.1f} GB = {room * 8 / 1e9:,.0f} Gbit through one access point: "
        + ", ".join(
            f"{room * 8 / (mbit * 1e6) / 60:,.0f} min at {mbit} Mbit/s shared"
            for mbit in ROOM_LINKS
        )
        + f"; one laptop alone takes {per_laptop * 8 / 100e6 / 60:.1f} min at 100 Mbit/s."
    )
    return rows


if __name__ == "__main__":
    main()
