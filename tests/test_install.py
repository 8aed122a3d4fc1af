"""Installing: the lock pins what pyproject asks for, and scripts/sysdeps.sh says the truth."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
SYSDEPS = ROOT / "scripts" / "sysdeps.sh"

_PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)(?:\s*;[^\\]*)?\s*\\$")


def _pins() -> dict[str, tuple[Version, int]]:
    """Each pinned name → its version and how many hashes follow it."""
    pins: dict[str, tuple[Version, int]] = {}
    current = ""
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if match := _PIN.match(line):
            current = canonicalize_name(match[1])
            assert current not in pins, f"{current} is pinned twice"
            pins[current] = (Version(match[2]), 0)
        elif line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def test_the_lock_pins_every_dependency_of_pyproject_within_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(r) for r in project["dependencies"]]
    wanted += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    pins = _pins()
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: run 'make lock'"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {requirement}: run 'make lock'"
        )


def test_every_pin_in_the_lock_has_a_hash() -> None:
    # pip --require-hashes refuses the whole file if one pin lacks a hash.
    pins = _pins()
    assert len(pins) > 20
    assert [name for name, (_, hashes) in pins.items() if hashes == 0] == []


def _fake_tools(tmp_path: Path, ldconfig_lines: list[str], uid: int) -> Path:
    """A bin/ to put first on PATH: ldconfig prints the given lines, then enough more that
    it is still writing after a reader stopped early; id and apt-get only report."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    scripts = {
        "ldconfig": "\n".join(f"echo '{line}'" for line in ldconfig_lines)
        + '\nfor i in $(seq 20000); do echo "\tlibfiller$i.so (libc6,x86-64) => /lib/x"; done\n',
        "id": f"echo {uid}\n",
        "apt-get": f'echo "apt-get $*" >> {log}\necho "APT-GET $*" >&2\n',
        "sudo": '"$@"\n',
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text("#!/bin/bash\n" + body, encoding="utf-8")
        path.chmod(0o755)
    return bin_dir


def _sysdeps_build(bin_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(SYSDEPS), "build"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_a_present_library_is_never_reported_missing(tmp_path: Path) -> None:
    # The libraries come first in ldconfig's output: a `grep -q` reading a pipe stops there,
    # and under pipefail the writer's SIGPIPE turned "found" into "missing".
    bin_dir = _fake_tools(
        tmp_path,
        [
            "\tlibharfbuzz-subset.so.0 (libc6,x86-64) => /lib/libharfbuzz-subset.so.0",
            "\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/libpango-1.0.so.0",
        ],
        uid=1000,
    )
    done = _sysdeps_build(bin_dir)
    assert done.returncode == 0
    assert "libharfbuzz-subset0" not in done.stderr
    assert "libpango" not in done.stderr
    assert not (tmp_path / "calls.log").exists()


def test_as_root_it_names_the_packages_before_installing_them(tmp_path: Path) -> None:
    bin_dir = _fake_tools(tmp_path, [], uid=0)
    done = _sysdeps_build(bin_dir)
    assert done.returncode == 0
    lines = done.stderr.splitlines()
    first_apt = next(i for i, line in enumerate(lines) if line.startswith("APT-GET"))
    said = "\n".join(lines[:first_apt])
    for package in ("libharfbuzz-subset0", "libpango-1.0-0", "libpangoft2-1.0-0"):
        assert package in said
    assert "apt-get update" in said and "apt-get install -y" in said
    calls = (tmp_path / "calls.log").read_text(encoding="utf-8").splitlines()
    assert calls[0] == "apt-get update -qq"
    assert calls[1].startswith("apt-get install -y")
    assert "libharfbuzz-subset0" in calls[1]
