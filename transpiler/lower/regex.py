"""`re.sub`, `re.fullmatch`/`match`/`search`, `re.split`, `re.findall` on text -> tf.strings regex ops (RE2).

Filled in below; until then every call is refused with the reason."""
from __future__ import annotations

from ..diagnostics import Refusal


def call_re(ctx, name: str, args, kwargs, node):
    raise Refusal("P212", f"`{name}` on text is not converted yet", node)
