"""Reading a file ctctform did not write (a manifest, a saved plan, a report, the credential
store) without trusting what the path names: only a regular file, and only so much of it.

Opened non-blocking and checked on the open descriptor, so a FIFO or a device (or a file
swapped for one after an earlier check) can neither hang the run nor exhaust its memory.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit + 1` bytes of a regular file (more than `limit` means too large);
    OSError for anything else, "not a regular file" for a FIFO, device or directory."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(0, "not a regular file")
        return handle.read(limit + 1)
