"""A hub's first start on a full disk (``teller-hub serve --data DIR`` on a filled tmpfs) exits 2
and leaves no empty ``master.key`` behind, so it starts once the disk has room; an empty key
or token file an older version left that way is named as empty, with the way out, instead of
"the master key must be exactly 32 bytes" for ever (or, for ``admin.token``, serving with a
token nobody holds). Real ``teller-hub`` processes; the full disk needs root (else skipped)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fs_faults import fill, small_fs
from hub_proc import hub_cli, start_hub

pytestmark = pytest.mark.slow


def _serve(data: Path, timeout: float = 60) -> tuple[int, str]:
    r = hub_cli("serve", "--data", str(data), "--port", "0", timeout=timeout)
    return r.returncode, r.stderr


def _empty_private(path: Path) -> None:
    path.parent.mkdir(mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def test_a_first_start_on_a_full_disk_leaves_no_empty_key(tmp_path: Path) -> None:
    with small_fs(tmp_path, "4m") as fs:
        data = fs / "hub"
        filler = fill(fs)
        code, err = _serve(data)
        assert code == 2 and "No space left on device" in err, err[-2000:]
        left = sorted(p.name for p in data.iterdir()) if data.exists() else []
        assert not [name for name in left if "master.key" in name], left  # nor a temp file
        filler.unlink()
        hub = start_hub(data, {})  # the disk has room again: it starts, with a whole key
        try:
            assert len((data / "master.key").read_bytes()) == 32
        finally:
            assert hub.stop() == 0


@pytest.mark.parametrize("name", ["master.key", "admin.token"])
def test_an_empty_file_an_older_start_left_is_named(tmp_path: Path, name: str) -> None:
    data = tmp_path / "hub"
    _empty_private(data / name)
    # an older version served with an empty admin.token (a token nobody holds): not ended
    # by itself, so a bound wait; this one exits at once
    code, err = _serve(data, timeout=30)
    assert code == 2, err[-2000:]
    assert f"{data / name} is empty (0 bytes)" in err and "delete it" in err, err[-2000:]
    assert (data / name).stat().st_size == 0  # named, never removed by the hub itself
    (data / name).unlink()  # the way out the message gives
    hub = start_hub(data, {})
    try:
        assert (data / name).stat().st_size > 0
    finally:
        assert hub.stop() == 0
