"""The room's two pages: the instructor's dashboard and the learners' tap page.

Both are plain HTML made here, with nothing fetched from elsewhere (the room has no internet).
Every text that reaches a page goes through :func:`html.escape`; the dashboard's script
writes numbers with ``textContent`` only. Colours are the Okabe-Ito blue and orange, which
colour-blind eyes tell apart, and every colour also has its word and its number beside it.
"""

from __future__ import annotations

from html import escape

__all__ = ["dashboard_page", "tap_page"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1rem 1.5rem; color: #111; background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
.sub { font-size: 1.1rem; color: #333; margin-bottom: .4rem; }
main { columns: 2; column-gap: 2.5rem; }
table { border-collapse: collapse; width: 100%; font-size: 1.1rem; break-inside: avoid;
        margin-bottom: .45rem; table-layout: fixed; }
col.bar-col { width: 6.5rem; }
col.n-col { width: 4.4rem; }
th, td { padding: .08rem .4rem; text-align: left; border-bottom: 1px solid #ddd; }
th { font-size: 1rem; background: #eee; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td:first-child { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bar { position: relative; height: .9rem; width: 6rem; background: #e8e8e8; }
.bar span { position: absolute; top: 0; bottom: 0; left: 0; }
.bar .part-tried { background: #9ecae1; }
.bar .part-passed { background: #0072B2; }
td.stuck.some { color: #fff; background: #D55E00; font-weight: 700; }
.key span { display: inline-block; width: 1rem; height: 1rem; vertical-align: middle; }
"""


def _bar(row: dict, joined: int) -> str:
    whole = max(joined, 1)
    tried = min(100, round(100 * row["tried"] / whole))
    passed = min(100, round(100 * row["passed"] / whole))
    return (
        f'<div class="bar"><span class="part-tried" style="width:{tried}%"></span>'
        f'<span class="part-passed" style="width:{passed}%"></span></div>'
    )


_COLUMNS = (
    '<colgroup><col><col class="bar-col"><col class="n-col"><col class="n-col"><col class="n-col">'
    "</colgroup>"
)


def _by_notebook(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: list[tuple[str, list[dict]]] = []
    for row in rows:
        if not groups or groups[-1][0] != row["notebook"]:
            groups.append((row["notebook"], []))
        groups[-1][1].append(row)
    return groups


def dashboard_page(snapshot: dict, code: str) -> str:
    """The dashboard as it is now; its script then refreshes the numbers every 2 s."""
    tables = []
    for notebook, rows in _by_notebook(snapshot["exercises"]):
        body = []
        for row in rows:
            stuck_class = "n stuck some" if row["stuck"] else "n stuck"
            body.append(
                f'<tr data-id="{escape(row["id"])}"><td>{escape(row["name"])}</td>'
                f"<td>{_bar(row, snapshot['joined'])}</td>"
                f'<td class="n tried">{row["tried"]}</td>'
                f'<td class="n passed">{row["passed"]}</td>'
                f'<td class="{stuck_class}">{row["stuck"]}</td></tr>'
            )
        tables.append(
            f"<table>{_COLUMNS}"
            f'<thead><tr><th colspan="2">{escape(notebook)}</th><th class="n">tried</th>'
            f'<th class="n">passed</th><th class="n">stuck</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Room {escape(code)}: pulse</title>
<noscript><meta http-equiv="refresh" content="3"></noscript>
<style>{_STYLE}</style></head>
<body>
<h1>Room {escape(code)}: how the exercises are going</h1>
<div class="sub"><b id="joined">{snapshot["joined"]}</b> joined ·
counting since <span id="since">{escape(snapshot["since"])}</span> (kept in memory: a restart
starts from zero) · <span id="updated">live</span></div>
<div class="sub key"><span style="background:#0072B2"></span> passed
<span style="background:#9ecae1"></span> tried, not passed yet
<span style="background:#D55E00"></span> stuck: failed 3 times or more, not passed</div>
<main>{"".join(tables)}</main>
<script>
async function refresh() {{
  try {{
    // A room that hangs is reported like one that is gone, not waited for.
    const response = await fetch("dashboard.json",
      {{cache: "no-store", signal: AbortSignal.timeout(1800)}});
    if (!response.ok) throw new Error(response.status);
    const data = await response.json();
    const whole = Math.max(data.joined, 1);
    document.getElementById("joined").textContent = data.joined;
    document.getElementById("since").textContent = data.since;
    for (const row of data.exercises) {{
      const tr = document.querySelector(`tr[data-id="${{CSS.escape(row.id)}}"]`);
      if (!tr) continue;
      tr.querySelector("td.tried").textContent = row.tried;
      tr.querySelector("td.passed").textContent = row.passed;
      const stuck = tr.querySelector("td.stuck");
      stuck.textContent = row.stuck;
      stuck.classList.toggle("some", row.stuck > 0);
      tr.querySelector(".part-tried").style.width = Math.min(100, 100 * row.tried / whole) + "%";
      tr.querySelector(".part-passed").style.width = Math.min(100, 100 * row.passed / whole) + "%";
    }}
    document.getElementById("updated").textContent =
      "updated " + new Date().toLocaleTimeString();
  }} catch (error) {{
    document.getElementById("updated").textContent = "the room is not answering";
  }}
}}
setInterval(refresh, 2000);
</script>
</body></html>
"""


_TAP_STYLE = """
body { font-family: system-ui, sans-serif; margin: .8rem; font-size: 1.1rem; }
h1 { font-size: 1.4rem; }
h2 { font-size: 1.1rem; margin: 1.2rem 0 .3rem; }
form { display: flex; align-items: center; gap: .4rem; margin: .3rem 0; flex-wrap: wrap; }
form .name { flex: 1 1 10rem; }
button { font-size: 1.05rem; padding: .5rem .8rem; border-radius: .4rem; border: 1px solid #444; }
button.done { background: #0072B2; color: #fff; }
button.stuck { background: #fff; color: #111; }
.mark { font-weight: 700; }
"""


_MARKS = {"done": "✓ done", "stuck": "stuck: help is coming"}


def tap_page(exercises: list[dict], code: str, marks: dict[str, str]) -> str:
    """The page a phone or a Colab learner taps "done" / "stuck" on; works without scripts."""
    parts = []
    for notebook, rows in _by_notebook(exercises):
        parts.append(f"<h2>{escape(notebook)}</h2>")
        for row in rows:
            mark = _MARKS.get(marks.get(row["id"], ""))
            shown = f' <span class="mark">{escape(mark)}</span>' if mark else ""
            parts.append(
                f'<form method="post" id="{escape(row["id"])}">'
                f'<span class="name">{escape(row["name"])}{shown}</span>'
                f'<input type="hidden" name="exercise" value="{escape(row["id"])}">'
                '<button class="done" name="what" value="done">done</button>'
                '<button class="stuck" name="what" value="stuck">stuck</button></form>'
            )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Room {escape(code)}</title><style>{_TAP_STYLE}</style></head>
<body><h1>Room {escape(code)}: tell the instructor how it goes</h1>
<p>Tap <b>done</b> when an exercise's checker says ✅, <b>stuck</b> when you want help. Only
the count reaches the instructor's screen: no name, no answer.</p>
{"".join(parts)}
</body></html>
"""
