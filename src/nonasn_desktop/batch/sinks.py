"""Where the bytes of a batch file go: the signing sink and the ZIP writer's forward-only sink.

The batch file is hashed (BLAKE2b, for the minisign signature) as it is written, and the ZIP
container is written to a stream that never seeks, so that its layout is the same whether the
bytes go straight to the file or into the age encryption first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import queue
import threading
import zipfile
from typing import Any, BinaryIO

from nonasn_desktop.crypto.age import AgeWriter

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class SignedSink:
    """Writes to the output file, counting the bytes and hashing them (BLAKE2b) for the signature.

    Hashing and writing run in a second thread fed through a short queue (at most
    ``_QUEUED`` pieces, about 2 MiB): both release the interpreter lock, so they overlap the
    copying, checking and encryption of the next pieces. :meth:`close` drains the queue and
    raises what the writing thread met.
    """

    _QUEUED = 32

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._digest = hashlib.blake2b(digest_size=64)
        self.size = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self._QUEUED)
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="batch-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            piece = self._queue.get()
            if piece is None:
                return
            if self._error is not None:
                continue  # keep draining so that the producer never blocks
            try:
                self._digest.update(piece)
                self._stream.write(piece)
            except BaseException as exc:  # handed to the producer by write() or close()
                self._error = exc

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise ValueError("write to a closed batch file")
        piece = bytes(data)  # the caller may reuse its buffer
        self._queue.put(piece)
        self.size += len(piece)
        return len(piece)

    def flush(self) -> None:
        """Nothing to do before :meth:`close`; the file is fsync'd after it."""

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def digest(self) -> bytes:
        self.close()
        return self._digest.digest()


class ZipSink:
    """What the ZIP writer writes to: forward-only (no seek), so the layout is the same
    whether the bytes go to a file or into the encryption."""

    def __init__(self, target: SignedSink | AgeWriter) -> None:
        self._target = target
        self._position = 0
        self._abandoned = False

    def abandon(self) -> None:
        """Drop everything written from now on (an export that failed is being torn down)."""
        self._abandoned = True

    def write(self, data: bytes | bytearray | memoryview) -> int:
        if not self._abandoned:
            self._target.write(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        self._target.flush()

    def close(self) -> None:
        """The ZIP writer closes its output; the real file is closed by its owner."""


def zip_time(created_at: dt.datetime) -> tuple[int, int, int, int, int, int]:
    value = created_at.astimezone(dt.UTC)
    stamp = (value.year, value.month, value.day, value.hour, value.minute, value.second)
    return max(stamp, _ZIP_EPOCH)


def zip_info(name: str, date_time: tuple[int, int, int, int, int, int], size: int) -> Any:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, on every platform: the same bytes everywhere
    info.external_attr = 0o644 << 16
    info.file_size = size
    return info
