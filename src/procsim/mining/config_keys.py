"""Keys in the config for the names in a log: ``"W_Nabellen offertes"`` -> ``w_nabellen_offertes``.

Used by discovery (:mod:`procsim.mining.discover` for activities, :mod:`procsim.mining.roles`
for roles), by the YAML writer (the arrival stage) and by :mod:`procsim.mining.log_comparison`
to find a log's activities among a config's stages. Keys are what the process config and the
command line name stages and roles by, so they must read back from YAML as the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Key of the zero-time stage that sends each new case to its first activity.
ARRIVAL_STAGE = "arrival"
#: Keys a routing already uses for something else: the end of a case, and the arrival stage.
RESERVED_KEYS = frozenset({"end", ARRIVAL_STAGE})

#: Words YAML 1.1 reads as booleans or null.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})


def slug(name: str) -> str:
    """A config key from an activity or role name: ``"W_Nabellen offertes"`` ->
    ``w_nabellen_offertes``."""
    text = re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower()
    if not text:
        text = "activity"
    if text[0].isdigit():
        text = "a_" + text
    if text in _YAML_WORDS:  # "yes", "null", ... would not read back as text
        text += "_"
    return text


def fresh_key(base: str, used: set[str]) -> str:
    """``base``, else the first of ``base_2``, ``base_3``, ... not in ``used``; it joins ``used``.

    Parameters
    ----------
    base
        The key wanted.
    used
        Keys taken so far; updated.

    Returns
    -------
    str
    """
    key, k = base, 2
    while key in used:
        key, k = f"{base}_{k}", k + 1
    used.add(key)
    return key


def unique_slugs(names: list[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """Name -> its key, no two the same and none of ``taken``.

    Parameters
    ----------
    names
        Names in the log, in the order that decides who gets the plain key.
    taken
        Keys already used elsewhere.

    Returns
    -------
    dict
    """
    used = set(taken)
    return {n: fresh_key(slug(n), used) for n in names}
