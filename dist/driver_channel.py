"""The driver's protocol channel (see driver.py): imported before any user code runs.

Keeps private copies of the real stdin/stdout and points fds 0/1 away from them, so nothing the
migrations run (print, logging to stdout, child processes) can read requests or corrupt replies.
"""

import json
import os
import sys

PROTO_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
PROTO_IN = os.fdopen(os.dup(0), "r", encoding="utf-8")
os.dup2(2, 1)
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)
os.close(_devnull)
sys.stdout = sys.stderr


def send(obj):
    PROTO_OUT.write(json.dumps(obj, default=str) + "\n")
    PROTO_OUT.flush()


def requests():
    """Request lines from the client, until it closes the channel."""
    return PROTO_IN


def flush():
    PROTO_OUT.flush()
