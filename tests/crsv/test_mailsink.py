"""The development SMTP sink (crsv/mailsink.py): every message kept as one file, byte for byte,
started by `make run` beside the web server, worker and beat (crsv/devenv.py)."""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from crsv import devenv
from crsv.mailsink import mail_sink_start, message_file_name


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _message(message_id: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "crsv@localhost"
    message["To"] = "wpa@example.org"
    message["Subject"] = "A referral was sent"
    message["Message-ID"] = message_id
    message.set_content(body)
    return message


def _wait_for_files(folder: Path, count: int) -> list[Path]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        files = sorted(folder.glob("*.eml"))
        if len(files) >= count:
            return files
        time.sleep(0.05)
    raise AssertionError(f"{count} message files expected in {folder}, found {list(folder.iterdir())}")


def test_each_message_is_one_file_with_the_bytes_received(tmp_path: Path) -> None:
    port = _free_port()
    controller = mail_sink_start(tmp_path / "mail", port)
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.send_message(_message("<a@crsv.local>", "First: MONUSCO-GOM-2026-R-00001"))
            client.send_message(_message("<b@crsv.local>", "Second: MONUSCO-GOM-2026-R-00002"))
    finally:
        controller.stop()
    first, second = _wait_for_files(tmp_path / "mail", 2)
    assert b"Message-ID: <a@crsv.local>" in first.read_bytes()
    assert b"First: MONUSCO-GOM-2026-R-00001" in first.read_bytes()
    assert b"Second: MONUSCO-GOM-2026-R-00002" in second.read_bytes()
    assert not list((tmp_path / "mail").glob("*.part"))


def test_the_file_name_is_the_time_and_a_hash_of_the_message_id() -> None:

    moment = datetime(2026, 3, 1, 8, 30, 5, 123456, tzinfo=UTC)
    one = message_file_name(b"Message-ID: <k1@crsv.local>\r\n\r\nbody", moment)
    resent = message_file_name(b"Message-ID: <k1@crsv.local>\r\nX: y\r\n\r\nother", moment)
    other = message_file_name(b"Message-ID: <k2@crsv.local>\r\n\r\nbody", moment)
    assert one.startswith("20260301T083005.123456Z-") and one.endswith(".eml")
    assert one == resent  # a crash's resend carries the same Message-ID: the same hash
    assert one != other


def test_the_command_line_sink_writes_to_its_folder(tmp_path: Path) -> None:
    port = _free_port()
    folder = tmp_path / "mail"
    sink = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "crsv.mailsink", "--dir", str(folder), "--port", str(port)],
        cwd=devenv.ROOT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline or sink.poll() is not None:
                    raise
                time.sleep(0.1)
        with client:
            client.send_message(_message("<c@crsv.local>", "Third"))
        [kept] = _wait_for_files(folder, 1)
        assert b"Third" in kept.read_bytes()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    assert sink.returncode == 0


def test_make_run_starts_the_sink_on_the_email_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.setattr(devenv, "MAIL_PORT", _free_port())
    processes = {name: command for name, command, _env in devenv.dev_processes(8000, {})}
    assert list(processes) == ["mail", "web", "worker", "beat"]
    command = processes["mail"]
    assert command[1:3] == ["-m", "crsv.mailsink"]
    assert command[command.index("--port") + 1] == str(devenv.MAIL_PORT)
    assert command[command.index("--dir") + 1] == str(devenv.ROOT / ".devdata" / "mail")


def test_no_sink_when_mail_goes_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_HOST", "smtp.example.org")
    names = [name for name, _command, _env in devenv.dev_processes(8000, {})]
    assert names == ["web", "worker", "beat"]
