"""Rows held by a process: a run's session key, a multipart upload being
completed. A hold lasts only while its process lives, so a crash frees it."""

import os


def process_alive(pid: int) -> bool:
    if os.name == "nt":
        return True  # signal 0 means CTRL_C_EVENT there; a stop revokes the key
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process, alive
    return True


def held(owner: int | None) -> bool:
    """Whether a row whose holder column is ``owner`` is held right now."""
    return owner is not None and process_alive(owner)


def this_process() -> int:
    """The id to record as the holder of what this process takes."""
    return os.getpid()
