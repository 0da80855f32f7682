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
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #111; background: #fff; }
h1 { font-size: 2rem; margin: 0 0 .3rem; }
.sub { font-size: 1.2rem; color: #333; margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 1.35rem; }
th, td { padding: .25rem .6rem; text-align: left; border-bottom: 1px solid #ccc; }
td.n { text-align: right; font-variant-numeric: tabular-nums; width: 4.5rem; }
th.n { text-align: right; }
tr.nb td { background: #eee; font-weight: 600; font-size: 1.1rem; }
.bar { position: relative; height: 1.1rem; width: 14rem; background: #e8e8e8; }
.bar span { position: absolute; top: 0; bottom: 0; left: 0; }
.bar .tried { background: #9ecae1; }
.bar .passed { background: #0072B2; }
td.stuck.some { color: #fff; background: #D55E00; font-weight: 700; }
.key span { display: inline-block; width: 1rem; height: 1rem; vertical-align: middle; }
"""


def _bar(row: dict, joined: int) -> str:
    whole = max(joined, 1)
    tried = min(100, round(100 * row["tried"] / whole))
    passed = min(100, round(100 * row["passed"] / whole))
    return (
        f'<div class="bar"><span class="tried" style="width:{tried}%"></span>'
        f'<span class="passed" style="width:{passed}%"></span></div>'
    )


def dashboard_page(snapshot: dict, code: str) -> str:
    """The dashboard as it is now; its script then refreshes the numbers every 2 s."""
    rows = []
    notebook = None
    for row in snapshot["exercises"]:
        if row["notebook"] != notebook:
            notebook = row["notebook"]
            rows.append(f'<tr class="nb"><td colspan="5">{escape(notebook)}</td></tr>')
        stuck_class = "n stuck some" if row["stuck"] else "n stuck"
        rows.append(
            f'<tr data-id="{escape(row["id"])}"><td>{escape(row["name"])}</td>'
            f"<td>{_bar(row, snapshot['joined'])}</td>"
            f'<td class="n tried">{row["tried"]}</td><td class="n passed">{row["passed"]}</td>'
            f'<td class="{stuck_class}">{row["stuck"]}</td></tr>'
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
<table><thead><tr><th>exercise</th><th>of those joined</th><th class="n">tried</th>
<th class="n">passed</th><th class="n">stuck</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
<script>
async function refresh() {{
  try {{
    const response = await fetch("dashboard.json", {{cache: "no-store"}});
    if (!response.ok) throw new Error(response.status);
    const data = await response.json();
    const whole = Math.max(data.joined, 1);
    document.getElementById("joined").textContent = data.joined;
    document.getElementById("since").textContent = data.since;
    for (const row of data.exercises) {{
      const tr = document.querySelector(`tr[data-id="${{CSS.escape(row.id)}}"]`);
      if (!tr) continue;
      tr.querySelector(".tried").textContent = row.tried;
      tr.querySelector(".passed").textContent = row.passed;
      const stuck = tr.querySelector("td.stuck");
      stuck.textContent = row.stuck;
      stuck.classList.toggle("some", row.stuck > 0);
      tr.querySelector(".bar .tried").style.width = Math.min(100, 100 * row.tried / whole) + "%";
      tr.querySelector(".bar .passed").style.width = Math.min(100, 100 * row.passed / whole) + "%";
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


def tap_page(exercises: list[dict], code: str, marks: dict[str, str]) -> str:
    """The page a phone or a Colab learner taps "done" / "stuck" on; works without scripts."""
    parts = []
    notebook = None
    for row in exercises:
        if row["notebook"] != notebook:
            notebook = row["notebook"]
            parts.append(f"<h2>{escape(notebook)}</h2>")
        mark = {"done": "✓ done", "stuck": "stuck: help is coming"}.get(marks.get(row["id"], ""))
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
