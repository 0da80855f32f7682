"""environment.yml, pyproject.toml and constraints.txt describe the same environment."""

import re
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

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


def test_environment_yml_python_range_matches_pyproject():
    text = (ROOT / "environment.yml").read_text()
    assert "python>=3.10,<3.13" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.10"


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
