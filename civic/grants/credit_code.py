"""The unified social credit code (统一社会信用代码, GB 32100-2015) that identifies every NGO: 18 characters
from a 31-character alphabet (digits and capitals without I, O, S, V, Z), whose last is a check character.
Pure; DOMAIN-RULES §4."""

from __future__ import annotations

import unicodedata

from civic.errors import InvalidInput
from civic.i18n import N_

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # value = index
LENGTH = 18
# Weight of position i (0-based) is 3^i mod 31 (GB 32100-2015, 4.3).
WEIGHTS = tuple(pow(3, i, 31) for i in range(LENGTH - 1))
# The first character: who registered the organisation. Civil-affairs bureaus (5) register NGOs.
REGISTRARS = {"1": N_("institutional staffing office"), "5": N_("civil affairs"), "9": N_("market regulation"),
              "Y": N_("another registrar")}
CIVIL_AFFAIRS_TYPES = {"1": N_("social organisation"), "2": N_("social service organisation"),
                       "3": N_("foundation"), "9": N_("other")}


def normalise(text: str) -> str:
    """What people type → the canonical form: full-width characters folded, spaces and hyphens dropped,
    capitals."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(folded.split()).replace("-", "").upper()


def check_character(first17: str) -> str:
    """The check character for the first 17 characters."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(text: str, *, field: str = "credit_code") -> str:
    """The normalised code, or InvalidInput saying what is wrong with it."""
    code = normalise(text)
    if not code:
        raise InvalidInput(N_("Enter the organisation's unified social credit code."), field=field)
    if len(code) != LENGTH:
        raise InvalidInput(N_("A unified social credit code has 18 characters; this one has %(count)s."),
                           field=field, count=len(code))
    wrong = [c for c in code if c not in ALPHABET]
    if wrong:
        raise InvalidInput(N_("“%(char)s” cannot appear in a unified social credit code (the letters I, O, S, V "
                              "and Z are never used)."), field=field, char=wrong[0])
    if not code[2:8].isdigit():
        raise InvalidInput(N_("Characters 3 to 8 of a unified social credit code are the region's six-digit "
                              "code."), field=field)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidInput(N_("The last character of this code should be %(expected)s: check the code for a "
                              "typing mistake."), field=field, expected=expected)
    return code


def registrar(code: str) -> str | None:
    """The registrar named by the first character (a msgid), when it is one of the known ones."""
    return REGISTRARS.get(code[:1])
