"""Bad input of the chat, overflow and transfer settings: exit 2 with the field path.

Through the real command line, in the style of tests/test_bad_input.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_bad_input import MINIMAL, assert_bad, validate, write

TWO_CHANNELS = """\
demand:
  issues_per_hour: 60
  first_channel: {phone: 0.5, chat: 0.5}
channels:
  phone:
    handle_time: {dist: exponential, mean: 5min}
pools:
  voice: {agents: 8, skills: [phone, chat]}
"""


def test_a_transfer_loop_with_no_exit(tmp_path: Path) -> None:
    text = TWO_CHANNELS.replace(
        "    handle_time: {dist: exponential, mean: 5min}\n",
        "    handle_time: {dist: exponential, mean: 5min}\n    transfers: {chat: 1.0}\n"
        "  chat:\n    transfers: {phone: 1.0}\n",
    )
    output = assert_bad(validate(write(tmp_path, text)), "channels.chat.transfers", "no exit")
    assert "channels.phone.transfers" in output


def test_a_transfer_loop_with_an_exit_is_fine(tmp_path: Path) -> None:
    text = TWO_CHANNELS.replace(
        "    handle_time: {dist: exponential, mean: 5min}\n",
        "    handle_time: {dist: exponential, mean: 5min}\n    transfers: {chat: 1.0}\n"
        "  chat:\n    transfers: {phone: 0.5}\n",
    )
    assert validate(write(tmp_path, text)).exit_code == 0


def test_transfer_shares_over_one(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    handle_time: {dist: exponential, mean: 5min}\n",
        "    handle_time: {dist: exponential, mean: 5min}\n"
        "    transfers: {email: 0.7, chat: 0.6}\n",
    )
    assert_bad(validate(write(tmp_path, text)), "channels.phone.transfers", "at most 1")


def test_overflow_to_a_pool_without_the_skill(tmp_path: Path) -> None:
    text = MINIMAL + "  backup: {agents: 2, skills: [email], overflow_after: {phone: 30s}}\n"
    assert_bad(validate(write(tmp_path, text)), "pools.backup.overflow_after.phone", "skills")


@pytest.mark.parametrize("concurrency", ["0", "-1", "1.5"])
def test_chat_concurrency_must_be_a_positive_whole_number(tmp_path: Path, concurrency: str) -> None:
    text = TWO_CHANNELS.replace(
        "skills: [phone, chat]}", f"skills: [phone, chat], concurrency: {{chat: {concurrency}}}}}"
    )
    assert_bad(validate(write(tmp_path, text)), "pools.voice.concurrency.chat")


def test_an_ivr_containment_over_one(tmp_path: Path) -> None:
    text = MINIMAL.replace(
        "    handle_time: {dist: exponential, mean: 5min}\n",
        "    handle_time: {dist: exponential, mean: 5min}\n    ivr: {containment: 1.2}\n",
    )
    assert_bad(validate(write(tmp_path, text)), "channels.phone.ivr.containment")
