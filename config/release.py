"""Which code is running: written on every history record, so that a decision can be explained
years later by the code that made it."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


@cache
def current_release() -> str:
    """RELEASE from the environment (the deployment sets it), else this checkout's git commit,
    else the installed package's version. Read once per process."""
    if settings.RELEASE:
        return settings.RELEASE
    git = shutil.which("git")
    try:
        commit = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            [git or "git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    if commit:
        return f"git:{commit}"
    try:
        return f"version:{metadata.version('bxl-permits')}"
    except metadata.PackageNotFoundError:
        return "unknown"
