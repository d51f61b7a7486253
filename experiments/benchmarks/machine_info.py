"""Provenance helpers shared by the benchmark drivers: git state, CPU model and load average of this machine."""

import pathlib
import platform
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]


def git(*args):
    """Output of `git ARGS` in the repository ("" when git is missing or fails)."""
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def cpu_model():
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def loadavg():
    try:
        return [float(x) for x in pathlib.Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None
