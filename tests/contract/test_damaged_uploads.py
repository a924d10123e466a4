"""An upload damaged on the way, over real HTTP: the SDK hashes as it streams, sees the
receipt of other bytes, and replaces the object with a checked upload; a Datlake that damages
every upload leaves an `Err`, never a silent `Ok`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from datlake_sdk import DatlakeClient
from datlake_sdk.functional import (
    Err,
    ServerError,
    ValidationError,
    download_object,
    unwrap,
    upload_file,
)

from .broken_datlake import BrokenDatlake, Exchange
from .conformance_variants import API_KEY

datlake_server = pytest.importorskip("datlake_server", reason="the local Datlake is not installed")


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BrokenDatlake, str]]:
    app = BrokenDatlake(datlake_server.create_app(tmp_path_factory.mktemp("damaged"), API_KEY))
    with datlake_server.serve_app(app) as url:
        yield app, url


def flip_first_byte(x: Exchange) -> None:
    if x.operation == "upload_object" and x.body:
        x.body = bytes([x.body[0] ^ 0xFF]) + x.body[1:]


def test_a_damaged_upload_is_replaced_by_a_checked_one(
    broken: tuple[BrokenDatlake, str], tmp_path: Path
) -> None:
    app, url = broken
    source = tmp_path / "part-0.csv"
    source.write_bytes(b"id,email\n1,a@example.com\n")
    sent: list[str | None] = []

    def damage_the_unchecked(x: Exchange) -> None:
        sent.append(x.headers.get("x-checksum-sha256"))
        if "x-checksum-sha256" not in x.headers:
            flip_first_byte(x)

    app.on_request = damage_the_unchecked
    try:
        with DatlakeClient(url, API_KEY) as client:
            stored = upload_file(client, "datasets", "users/part-0.csv", source)
            app.heal()
            back = download_object(client, "datasets", "users/part-0.csv", tmp_path / "back")
    finally:
        app.heal()
    assert unwrap(stored).sha256 == unwrap(back).sha256
    assert (tmp_path / "back").read_bytes() == source.read_bytes()
    assert sent[0] is None
    assert sent[1] == unwrap(stored).sha256


def test_a_datlake_that_damages_every_upload_is_an_err(
    broken: tuple[BrokenDatlake, str], tmp_path: Path
) -> None:
    app, url = broken
    source = tmp_path / "part-1.csv"
    source.write_bytes(b"id\n2\n")
    app.on_request = flip_first_byte
    try:
        with DatlakeClient(url, API_KEY) as client:
            stored = upload_file(client, "datasets", "users/part-1.csv", source)
    finally:
        app.heal()
    assert isinstance(stored, Err)
    # the checked upload was refused (422 checksum-mismatch): the server says what it holds
    assert isinstance(stored.error, ValidationError | ServerError)
    assert "checksum" in (stored.error.detail or stored.error.message).lower()
