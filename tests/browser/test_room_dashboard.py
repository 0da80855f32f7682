"""The room's pages in Chromium: the dashboard updates on its own while learners work, at a
projector's size, fetching nothing from elsewhere; the tap page works on a phone without a kernel.

Screenshots: test-artifacts/screenshots/room-dashboard*.png, room-tap-phone.png.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time

from tests.room_fixtures import CODE, free_port, pulse_payload, running_room, start_room
from workshop.checks.catalogue import ORDER
from workshop.room._server import RateLimiter

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}


def _cell(page, exercise: str, column: str) -> str:
    return page.locator(f'tr[data-id="{exercise}"] td.{column}').inner_text()


def test_the_dashboard_shows_the_rooms_numbers_as_they_change(browser, screenshots):
    with running_room(limiter=RateLimiter(rate=1e6, burst=10**6)) as room:
        context = browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        elsewhere = []
        page.on(
            "request",
            lambda r: elsewhere.append(r.url) if f":{room.port}/" not in r.url else None,
        )
        page.goto(f"http://127.0.0.1:{room.port}/dashboard")
        assert page.locator("#joined").inner_text() == "0"
        assert _cell(page, "convolution.top_left", "tried") == "0"

        # Twelve learners work through 00 to 02 over a few seconds while the page is open.
        rng = random.Random(7)
        learners = [f"{n:016x}" for n in range(1, 13)]
        stop = threading.Event()

        def room_at_work():
            for exercise in ORDER[:10]:
                for learner in learners:
                    if stop.is_set():
                        return
                    wrong = rng.choice([0, 1, 3])
                    for attempt in range(1, wrong + 1):
                        room.pulse(pulse_payload(learner, exercise, False, attempt))
                    if not (exercise == ORDER[9] and wrong == 3):
                        room.pulse(pulse_payload(learner, exercise, True, wrong + 1))
                time.sleep(0.25)

        worker = threading.Thread(target=room_at_work)
        worker.start()
        page.wait_for_function("() => document.getElementById('joined').textContent !== '0'")
        page.screenshot(path=str(screenshots / "room-dashboard-during.png"), full_page=True)
        worker.join(timeout=60)
        truth = room.dashboard()
        last = next(row for row in truth["exercises"] if row["id"] == ORDER[9])
        # The page catches up with the room on its own, within its 2 s refresh.
        page.wait_for_function(
            f"""() => document.querySelector('tr[data-id="{ORDER[9]}"] td.passed')
                 .textContent === '{last["passed"]}'""",
            timeout=10_000,
        )
        assert page.locator("#joined").inner_text() == "12"
        for row in truth["exercises"]:
            for column in ("tried", "passed", "stuck"):
                assert _cell(page, row["id"], column) == str(row[column]), (row, column)
        if last["stuck"]:
            stuck = page.locator(f'tr[data-id="{ORDER[9]}"] td.stuck')
            assert "some" in stuck.get_attribute("class")
        page.screenshot(path=str(screenshots / "room-dashboard.png"), full_page=True)
        stop.set()
        room.server.shutdown()
        page.wait_for_function(
            "() => document.getElementById('updated').textContent.includes('not answering')",
            timeout=10_000,
        )
        assert elsewhere == []
        context.close()


def test_the_tap_page_counts_a_phones_taps(browser, screenshots):
    with running_room() as room:
        context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=False)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{room.port}/tap/{CODE}")
        form = page.locator('form[id="convolution.top_left"]')
        form.locator("button.stuck").click()
        page.wait_for_load_state()
        assert "stuck: help is coming" in form.inner_text()
        page.locator('form[id="setup.filters_are"] button.done').click()
        page.wait_for_load_state()
        assert "✓ done" in page.locator('form[id="setup.filters_are"]').inner_text()
        page.screenshot(path=str(screenshots / "room-tap-phone.png"))
        snapshot = room.dashboard()
        rows = {row["id"]: row for row in snapshot["exercises"]}
        assert snapshot["joined"] == 1
        assert (rows["convolution.top_left"]["stuck"], rows["setup.filters_are"]["passed"]) == (
            1,
            1,
        )
        context.close()


def test_two_kernels_join_a_real_room_and_its_dashboard_shows_them(
    browser, tmp_path, monkeypatch, screenshots
):
    """End to end: `python -m workshop room` as the instructor starts it, two notebook kernels
    that join with the line it prints and call checkers, and the dashboard in Chromium."""
    from nbformat.v4 import new_code_cell, new_notebook

    from tests.notebook_runs import errors, printed, run_in_venv

    port = free_port()
    env = {
        **os.environ,
        "WORKSHOP_ROOM_DIR": str(tmp_path / "instructor"),
        "KERAS_HOME": str(tmp_path / "keras"),
    }
    process = start_room(port, env)
    try:
        code = json.loads((tmp_path / "instructor" / "room-code.json").read_text())["code"]
        lessons = {
            "ada": "check.top_left(1)\ncheck.top_left(check.top_left.expected)",
            "bo": "for wrong in (1, 2, 3):\n    check.output_size(wrong)",
        }
        for learner, calls in lessons.items():
            nb = new_notebook(
                cells=[
                    new_code_cell(
                        f'from workshop import room\nroom.join("127.0.0.1:{port}/{code}")'
                    ),
                    new_code_cell(f"from workshop.checks import convolution as check\n{calls}"),
                    new_code_cell(
                        "from workshop.room._client import SENDER\nassert SENDER.wait(10)"
                    ),
                ]
            )
            # Each learner's own laptop: its own join file.
            monkeypatch.setenv("WORKSHOP_ROOM_DIR", str(tmp_path / learner))
            run = run_in_venv(nb, tmp_path, f"room kernel {learner}")
            assert errors(run.nb) == []
            assert f"✅ Joined room {code}" in printed(run.nb)
        context = browser.new_context(viewport=PROJECTOR)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/dashboard")
        assert page.locator("#joined").inner_text() == "2"
        assert (
            _cell(page, "convolution.top_left", "tried"),
            _cell(page, "convolution.top_left", "passed"),
        ) == ("1", "1")
        assert _cell(page, "convolution.output_size", "stuck") == "1"
        page.screenshot(path=str(screenshots / "room-dashboard-two-kernels.png"))
        context.close()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=20)
    assert "room.join(" in output and "/dashboard" in output
