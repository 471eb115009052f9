"""Headless Chromium for the dashboard's browser test: on PATH, or installed within a bound.

Debian's ``chromium`` is installed through apt-get when it is missing and apt-get can be used
(as root), the whole install limited to ``CHROMIUM_INSTALL_TIMEOUT`` seconds (300 by default):
a slow or unreachable mirror costs at most that, then the browser test skips with
:data:`UNAVAILABLE`, the one skip a run with ``SYNAPSE_TESTS_FORBID_SKIPS`` allows
(``tests/conftest.py``: ``ALLOWED_SKIPS``). ``make browser`` (run by ``make test``) is
``python -m tests.mockserver.chromium``; ``make test`` then sets ``SYNAPSE_TESTS_CHROMIUM_TRIED``
so the browser test does not try a failed install a second time.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

UNAVAILABLE = "chromium is not installed and could not be installed"
"""How the browser test's skip reason starts (the allowed skip matches it)."""
TRIED = "SYNAPSE_TESTS_CHROMIUM_TRIED"
"""Set (by ``make test``, after ``make browser``): an install was already tried this run."""
_COMMANDS = (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"])


def install_timeout() -> float:
    """Seconds the whole install may take (``CHROMIUM_INSTALL_TIMEOUT``, default 300)."""
    return float(os.environ.get("CHROMIUM_INSTALL_TIMEOUT") or 300)


def find_or_install(*, install: bool = True) -> tuple[str | None, str]:
    """(chromium's path, "") when it is on PATH or was installed; else (None, why not)."""
    found = shutil.which("chromium")
    if found is not None:
        return found, ""
    if not install:
        return None, "make browser tried to install it in this run: see its output"
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return None, "apt-get cannot be used here (it needs root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    budget = install_timeout()
    deadline = time.monotonic() + budget
    for command in _COMMANDS:
        failed = _run(command, env, deadline - time.monotonic(), budget)
        if failed is not None:
            return None, f"{' '.join(command[:2])} {failed}"
    found = shutil.which("chromium")
    return found, "" if found else "apt-get installed no chromium on PATH"


def _run(command: list[str], env: dict[str, str], seconds: float, budget: float) -> str | None:
    """Run ``command`` (its process group killed after ``seconds``); None, or what failed."""
    if seconds <= 0:
        return f"was not started: the install's {budget:g} s ran out"
    with subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as process:
        try:
            _, err = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return f"did not finish within the install's {budget:g} s"
    if process.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:]
        return f"failed: {''.join(last) or f'exit status {process.returncode}'}"
    return None


def main() -> None:
    """``make browser``: say what was found or installed; never fail (the test skips)."""
    if shutil.which("chromium") is None:
        print(
            "chromium is missing: trying to install it for the dashboard's browser test", flush=True
        )
    found, why = find_or_install()
    if found is None:
        print(f"{UNAVAILABLE} ({why}): the dashboard's browser test will skip")
    else:
        print(f"chromium: {found}")


if __name__ == "__main__":
    main()
