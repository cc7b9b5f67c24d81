"""Bad input to an experiment that is not a scenario problem: a grid, a folder, a setting.

Library code names settings as the Python API spells them (``precision``,
``max_replications``, ``vary``); a front end gives them its own spelling
(:meth:`InputError.for_front_end`: the command line says ``--max-replications``). A message
names a setting either at its start (``option``) or anywhere, as a :class:`Setting` part.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


class Setting(str):
    """A setting's API name inside a message, respelt by each front end."""


class InputError(ValueError):
    """A setting that cannot be used; ``option`` is the setting's API name, when one.

    ``message`` is text, or parts of text and :class:`Setting` names.
    """

    def __init__(self, message: str | Sequence[str], option: str | None = None) -> None:
        self.parts = [message] if isinstance(message, str) else list(message)
        self.option = option
        super().__init__("".join(self.parts))

    def for_front_end(self, spell: Callable[[str], str]) -> str:
        """The message with every setting's name respelt by ``spell``: each
        :class:`Setting` part, and ``option`` where a line starts with it."""
        text = "".join(spell(p) if isinstance(p, Setting) else p for p in self.parts)
        if not self.option:
            return text
        lines = text.split("\n")
        return "\n".join(
            spell(self.option) + line[len(self.option) :] if line.startswith(self.option) else line
            for line in lines
        )
