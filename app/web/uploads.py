"""The file between `Granska` and `Spara som utkast`: kept on the server, named by its SHA-256.

Why not a hidden form field with the bytes: a 5 MiB file is 6.7 MiB as base64, over the body
limit the service sets for uploads. So the reviewed bytes are written to a temporary directory
of this session (named after a hash of the session's CSRF token, which no other session knows),
and the save form carries only the SHA-256. Saving validates the bytes again with the same
import function, so nothing is trusted from the review. Files older than an hour are removed on
the next write. One host's workers share the directory; several hosts need sticky sessions.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

KEEP_SECONDS = 60 * 60
ROOT = Path(tempfile.gettempdir()) / "taxa-web-uploads"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _folder(session_token: str) -> Path:
    return ROOT / hashlib.sha256(session_token.encode("utf-8")).hexdigest()[:32]


def _sweep(now: float) -> None:
    if not ROOT.exists():
        return
    for path in ROOT.glob("*/*"):
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except FileNotFoundError:
            pass  # another worker swept it first


def keep(session_token: str, filename: str, content: bytes) -> str:
    """Store the reviewed file; returns its SHA-256, which the save form sends back."""
    now = time.time()
    _sweep(now)
    sha256 = hashlib.sha256(content).hexdigest()
    folder = _folder(session_token)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    (folder / sha256).write_bytes(content)
    (folder / f"{sha256}.name").write_text(filename, encoding="utf-8")
    return sha256


class Reviewed(NamedTuple):
    filename: str
    content: bytes
    sha256: str  # what the save form sent back, to forget the file once it is stored


def take(session_token: str, sha256: str) -> Reviewed | None:
    """The file reviewed in this session with that SHA-256, or None (expired, or never here)."""
    if not SHA256.match(sha256):
        return None
    path = _folder(session_token) / sha256
    try:
        content = path.read_bytes()
        filename = (path.parent / f"{sha256}.name").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    if hashlib.sha256(content).hexdigest() != sha256:
        return None
    return Reviewed(filename, content, sha256)


def forget(session_token: str, sha256: str) -> None:
    if not SHA256.match(sha256):
        return
    for path in (_folder(session_token) / sha256, _folder(session_token) / f"{sha256}.name"):
        path.unlink(missing_ok=True)
