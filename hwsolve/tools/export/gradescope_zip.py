"""``hwsolve export gradescope PROBLEM -o autograder.zip``: Gradescope's autograder zip.

At its root (gradescope/autograder_samples ``docs/specs.md``): ``setup.sh``, which installs
hwsolve from the wheel inside the zip, and ``run_autograder``, which grades the submission
(``/autograder/submission``: a YAML answers file or a one-row CSV) against ``problem.yaml`` and
writes ``/autograder/results/results.json`` (:func:`hwsolve.tools.export.results.gradescope`).
A submission that cannot be graded gets a results.json with 0 points and the reason.

The wheel is ``pip wheel --no-deps`` of the hwsolve source; where that cannot run (no network
for the build backend), an equivalent pure-Python wheel is written here from the same files
(the package, its problems, the dist-info with the dependencies of pyproject.toml).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ZIP_DATE = (2020, 1, 1, 0, 0, 0)

SETUP = """#!/usr/bin/env bash
# Installs hwsolve from the wheel in this zip (its dependencies come from PyPI when the
# autograder image is built, or from wheels/ in this zip if you add them there).
set -euo pipefail
cd /autograder/source
apt-get install -y python3 python3-pip >/dev/null 2>&1 || true
python3 -m pip install --find-links wheels ./{wheel}
"""

RUN = r'''#!/usr/bin/env python3
"""Grades /autograder/submission with hwsolve into /autograder/results/results.json.
HWSOLVE_AUTOGRADER_ROOT moves /autograder (for testing the zip locally)."""
import json
import os
import sys
from pathlib import Path

ROOT = Path(os.environ.get("HWSOLVE_AUTOGRADER_ROOT", "/autograder"))
CONFIG = json.loads((ROOT / "source" / "hwsolve_config.json").read_text(encoding="utf-8"))


def write(document):
    from hwsolve import num   # exponent form for a value beyond float range, never inf/0.0
    out = ROOT / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(num.json_dumps(document, indent=2) + "\n", encoding="utf-8")


def main():
    from hwsolve import api
    from hwsolve.errors import HwsolveError
    from hwsolve.tools.export import results

    folder = ROOT / "submission"
    found = sorted(p for p in folder.rglob("*") if p.is_file() and
                   p.suffix.lower() in (".yaml", ".yml", ".csv")) if folder.is_dir() else []
    if len(found) != 1:
        write({"score": 0, "output_format": "md", "tests": [],
               "output": "Submit exactly one answers file (.yaml, .yml or a one-row .csv); "
                         f"found {len(found)}."})
        return
    try:
        book = api.grade(ROOT / "source" / "problem.yaml", found[0],
                         tolerance=CONFIG.get("tolerance"))
        if len(book.rows) != 1:
            raise HwsolveError(f"the CSV has {len(book.rows)} rows; submit one row")
        document = results.gradescope(book.rows[0], visibility=CONFIG["visibility"],
                                      hide_key=CONFIG["hide_key"], points=CONFIG.get("points"))
        write(document)
    except HwsolveError as exc:
        write({"score": 0, "output_format": "md", "tests": [],
               "output": f"Your file could not be graded: {exc.message}"
                         + (f" (line {exc.line})" if exc.line else "")})


if __name__ == "__main__":
    main()
'''


def project_root() -> Path | None:
    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() and (root / "hwsolve").is_dir() else None


def build_wheel(root: Path) -> tuple:
    """(file name, bytes) of hwsolve's wheel: pip wheel --no-deps, else the same files here."""
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index",
                               "--no-build-isolation", str(root), "-w", tmp],
                              capture_output=True, timeout=300)
        wheels = list(Path(tmp).glob("hwsolve-*.whl"))
        if done.returncode == 0 and wheels:
            return wheels[0].name, wheels[0].read_bytes()
    return _own_wheel(root)


def _own_wheel(root: Path) -> tuple:
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    version = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)[1]
    block = re.search(r"^dependencies\s*=\s*\[(.*?)^\]", text, re.M | re.S)[1]
    requires = re.findall(r'"([^"]+)"', block)
    files: dict = {}
    for path in sorted((root / "hwsolve").rglob("*.py")):
        files[path.relative_to(root).as_posix()] = path.read_bytes()
    for path in sorted((root / "problems").glob("*.yaml")):
        files[f"hwsolve/problems/{path.name}"] = path.read_bytes()
    info = f"hwsolve-{version}.dist-info"
    files[f"{info}/METADATA"] = ("Metadata-Version: 2.1\nName: hwsolve\nVersion: "
                                 f"{version}\nRequires-Python: >=3.10\n" +
                                 "".join(f"Requires-Dist: {r}\n" for r in requires)).encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: hwsolve export\n"
                              b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = []
    for name, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, zipfile.ZIP_DEFLATED)
    return f"hwsolve-{version}-py3-none-any.whl", buffer.getvalue()


def package(problem_text: str, wheel: tuple, *, tolerance: str | None, visibility: str,
            hide_key: bool, points: float | None) -> bytes:
    name, data = wheel
    config = {"tolerance": tolerance, "visibility": visibility, "hide_key": hide_key,
              "points": points}
    entries = [("setup.sh", SETUP.format(wheel=name).encode(), 0o755),
               ("run_autograder", RUN.encode(), 0o755),
               ("problem.yaml", problem_text.encode("utf-8"), 0o644),
               ("hwsolve_config.json", (json.dumps(config, indent=2) + "\n").encode(), 0o644),
               (name, data, 0o644)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, payload, mode in entries:
            info = zipfile.ZipInfo(entry, ZIP_DATE)
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, payload, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
