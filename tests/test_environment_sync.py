"""environment.yml, pyproject.toml and constraints.txt describe the same environment, and
everything that states the supported Pythons or the dependency minimums agrees with pyproject."""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from tools import python_range
from workshop import doctor

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_specs() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return {_name(s): s.replace(" ", "") for s in specs}


def _environment_pip_specs() -> dict[str, str]:
    lines = (ROOT / "environment.yml").read_text().splitlines()
    pip_lines = [ln.strip()[2:].strip() for ln in lines if ln.startswith("      - ")]
    return {_name(s): s.replace(" ", "") for s in pip_lines if not s.startswith("-")}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert _environment_pip_specs() == _pyproject_specs()


# ------------------------------------------ the supported Python range: one home, the rest tied
SUPPORTED = python_range.supported_minors()
LOWEST, HIGHEST = SUPPORTED[0], SUPPORTED[-1]


def _dotted(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def test_supported_python_has_one_home_in_pyproject():
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["cnn-workshop"]
    assert python_range.supported_spec() == settings["supported-python"].replace(" ", "")
    # requires-python keeps only the lower bound (Colab installs on newer Pythons), and it is
    # the same lower bound.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == f">={_dotted(LOWEST)}"


def test_environment_yml_python_range_matches_pyproject():
    pins = re.findall(r"^\s*-\s*python([<>=!].*)$", (ROOT / "environment.yml").read_text(), re.M)
    assert pins == [python_range.supported_spec()]


def test_doctor_supports_the_same_pythons():
    assert doctor.SUPPORTED_PYTHON == (LOWEST, HIGHEST)
    for major, minor in SUPPORTED:
        assert doctor.python_line((major, minor, 0)).status == "OK"
    below, above = (LOWEST[0], LOWEST[1] - 1, 0), (HIGHEST[0], HIGHEST[1] + 1, 0)
    assert doctor.python_line(below).status == "FAIL"
    assert doctor.python_line(above).status == "FAIL"


def test_readme_names_the_supported_pythons():
    names = [_dotted(v) for v in SUPPORTED]
    listed = ", ".join(names[:-1]) + " or " + names[-1]
    assert f"You need Python {listed} and `make`" in (ROOT / "README.md").read_text()


def test_instructor_guide_quotes_makes_message():
    message = python_range.check((HIGHEST[0], HIGHEST[1] + 1))
    quoted = message.split(",")[0]  # "Python 3.10-3.13 needed"
    assert f'*"{quoted}"*' in (ROOT / "docs" / "instructor-guide.md").read_text()


def test_ci_tries_only_supported_pythons():
    text = (ROOT / ".ci" / "run").read_text()
    # The suite's Pythons (`for version in ...`) and the Colab mirror's (`find_python X.Y`).
    named = " ".join(re.findall(r"for version in ([\d. ]+);", text))
    named += " " + " ".join(re.findall(r"find_python (\d+\.\d+)", text))
    candidates = re.findall(r"(\d+)\.(\d+)", named)
    assert candidates and {(int(a), int(b)) for a, b in candidates} <= set(SUPPORTED)


# ------------------------------------------------ dependency minimums: pyproject is their home
def test_doctor_reads_the_minimums_from_pyproject(monkeypatch):
    expected = {
        _name(spec): (re.search(r">=([\d.]+)", spec) or [None, "0"])[1]
        for spec in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    assert doctor.required_minimums() == expected  # from the installed metadata

    # Run from a source tree without an install: the same minimums, read from pyproject.toml.
    def missing(name):
        raise doctor.md.PackageNotFoundError(name)

    monkeypatch.setattr(doctor.md, "requires", missing)
    assert doctor.required_minimums() == expected


def test_constraints_pin_every_dependency_within_its_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_name(name)] = version.strip()
    for name, spec in _pyproject_specs().items():
        if "python_version" in spec:  # only for older Pythons than the one the pins were made on
            continue
        assert name in pins, f"constraints.txt does not pin {name}"
        low = re.search(r">=([\d.]+)", spec)
        if low:
            have = tuple(int(p) for p in re.findall(r"\d+", pins[name])[:3])
            want = tuple(int(p) for p in low.group(1).split("."))
            assert have >= want, f"{name} pinned to {pins[name]}, below {spec}"


# ------------------------------------------------ JupyterLab's first-run questions, answered
def test_jupyterlab_overrides_answer_the_news_question():
    """`make` installs tools/jupyterlab-overrides.json as the environment's overrides.json, so
    a room of learners never sees "get notified about official Jupyter news?"."""
    import json
    import sys

    overrides = json.loads((ROOT / "tools" / "jupyterlab-overrides.json").read_text())
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification == {"fetchNews": "false", "checkForUpdates": False}
    makefile = (ROOT / "Makefile").read_text()
    installed = "$(VENV)/share/jupyter/lab/settings/overrides.json"
    assert f"cp tools/jupyterlab-overrides.json {installed}" in makefile
    schema = Path(sys.prefix, "share/jupyter/lab/schemas/@jupyterlab/apputils-extension")
    if (schema / "notification.json").exists():  # the installed JupyterLab knows these settings
        properties = json.loads((schema / "notification.json").read_text())["properties"]
        assert {c["const"] for c in properties["fetchNews"]["oneOf"]} >= {"false"}
        assert properties["checkForUpdates"]["type"] == "boolean"
