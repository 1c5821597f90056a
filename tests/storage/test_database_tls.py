"""A desk on an office database server verifies TLS: with ``sslmode=verify-full`` it never
falls back to an unencrypted connection (issue 11, item 4).

The local test server has TLS off and cannot be reconfigured by the tests (a shared server,
no superuser), so this proves the refusal; README ("Office database server: TLS") gives the
steps that make verify-full succeed against a real server certificate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from helpers.postgres import fresh_database
from nonasn_desktop.errors import DataDirError, StorageError, UserError
from nonasn_desktop.storage.database import Database


def _over_tcp(url: str, **query: str) -> str:
    parsed = make_url(url)
    params = {k: v for k, v in parsed.query.items() if k != "host"}
    return parsed.set(host="localhost", query={**params, **query}).render_as_string(
        hide_password=False
    )


def test_verify_full_refuses_a_server_without_a_verified_certificate(tmp_path: Path) -> None:
    root = tmp_path / "root.crt"
    root.write_text("not a certificate\n", encoding="ascii")
    with fresh_database() as url:
        verified = Database.open(_over_tcp(url, sslmode="verify-full", sslrootcert=str(root)))
        try:
            with pytest.raises(UserError) as caught:
                verified.current_revision()
        finally:
            verified.close()
        if isinstance(caught.value, StorageError):
            pytest.skip("the test server does not listen on localhost")
        # Refused at the TLS handshake, before any password is asked for.
        assert isinstance(caught.value, DataDirError)
        assert "TLS" in str(caught.value)
        assert "sslrootcert" in (caught.value.hint or "")
