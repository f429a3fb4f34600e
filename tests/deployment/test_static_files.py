"""Static files collect cleanly in production mode (the image's build step) and every reference a
vendored file makes is shipped."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_MAP = re.compile(rb"sourceMappingURL=([^\s*]+)")


def test_no_static_file_names_a_source_map_that_is_not_shipped():
    missing = []
    for path in (ROOT / "static").rglob("*"):
        if path.suffix not in {".js", ".css"}:
            continue
        for name in SOURCE_MAP.findall(path.read_bytes()):
            if not (path.parent / name.decode()).exists():
                missing.append(f"{path.relative_to(ROOT)} -> {name.decode()}")
    assert missing == []


def test_collectstatic_succeeds_with_debug_off_and_fingerprints_the_vendored_files(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}},
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "MODELWISE_VAR_DIR": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "VERBOSITY": "0",
    }
    result = subprocess.run(
        [str(ROOT / "deploy/collectstatic.sh")], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())
    for name in ("vendor/chart-4.6.1.umd.min.js", "vendor/htmx-2.0.11.min.js", "css/portal.css"):
        assert manifest["paths"][name] != name
        assert (tmp_path / "staticfiles" / manifest["paths"][name]).exists()
