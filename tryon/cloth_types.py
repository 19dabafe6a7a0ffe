"""The cloth types: one table, read by the engine, the forms, the API, the backends and the studio.

FitRoom speaks of the same garment in two words: its checks say ``full`` (``clothes_type``,
``good_clothes_types``) and its create-task call says ``full_set``. A task always stores the
task word; :func:`task_type` accepts either, and :func:`check_type` goes the other way.

Plain Python, no Django: ``tryon.engine`` and ``tryon.client`` import it.
"""

from __future__ import annotations

from dataclasses import dataclass

# MediaPipe Pose landmark indices (the engine's person analysis uses the same numbering).
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28

SHOULDERS_TO_HIPS = (LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)
HIPS_TO_ANKLES = (LEFT_HIP, RIGHT_HIP, LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE)

# The value of cloth_type that asks the server to run the clothes check and use what it finds.
AUTO = "auto"


@dataclass(frozen=True)
class ClothType:
    name: str  # the create-task word, stored on the task
    label: str  # the studio's picker
    hint: str  # examples, under the label
    aliases: tuple[str, ...]  # other words accepted for it on input
    check_word: str | None  # what the checks call it; None for a pairing of two garments
    # The check words of the garments rendered, in the order they are put on.
    garments: tuple[str, ...]
    # Body landmarks that must be seen, inside the frame, to wear it. Upper clothes cover
    # shoulders to hips; lower clothes hips to ankles, since trousers and long skirts end
    # there; full clothes span both. Knee-up photos therefore get "upper" only.
    landmarks: tuple[int, ...]


CLOTH_TYPES: dict[str, ClothType] = {
    t.name: t
    for t in [
        ClothType("upper", "Top", "shirts, T-shirts, jackets", (), "upper", ("upper",), SHOULDERS_TO_HIPS),
        ClothType("lower", "Bottom", "trousers, skirts, shorts", (), "lower", ("lower",), HIPS_TO_ANKLES),
        ClothType(
            "full_set",
            "Full outfit",
            "dresses, jumpsuits",
            ("full",),
            "full",
            ("full",),
            tuple(dict.fromkeys(SHOULDERS_TO_HIPS + HIPS_TO_ANKLES)),
        ),
        ClothType(
            "combo",
            "Top and bottom",
            "one top and one bottom together",
            (),
            None,
            ("lower", "upper"),
            tuple(dict.fromkeys(SHOULDERS_TO_HIPS + HIPS_TO_ANKLES)),
        ),
    ]
}

# The task words, in the order the docs and the picker list them.
TASK_TYPES = tuple(CLOTH_TYPES)
# Every word a create-task request may send (the "auto" request is separate: see AUTO).
ACCEPTED = TASK_TYPES + tuple(alias for t in CLOTH_TYPES.values() for alias in t.aliases)
# What the clothes check answers and the model check lists in good_clothes_types, in FitRoom's order.
CHECK_TYPES = tuple(t.check_word for t in CLOTH_TYPES.values() if t.check_word)
# Landmarks each check word needs: the model check's good_clothes_types are the words whose landmarks are all seen.
REQUIRED_LANDMARKS = {t.check_word: t.landmarks for t in CLOTH_TYPES.values() if t.check_word}

_BY_WORD = {word: t for t in CLOTH_TYPES.values() for word in (t.name, *t.aliases, t.check_word) if word}


def task_type(word: str) -> str | None:
    """The task word for any accepted spelling (``full`` -> ``full_set``); None when unknown."""
    found = _BY_WORD.get(word)
    return found.name if found else None


def check_type(word: str) -> str | None:
    """The checks' word for a task word (``full_set`` -> ``full``); None for combo or an unknown word."""
    found = _BY_WORD.get(word)
    return found.check_word if found else None


def garments(word: str) -> tuple[str, ...]:
    """The check words of the garments a task of this type renders (combo: lower, then upper)."""
    found = _BY_WORD.get(word)
    return found.garments if found else ()


def wearable(good_clothes_types) -> list[str]:
    """The task types a model photo allows, given its check's good_clothes_types, in table order.

    Combo needs both a top and a bottom to fit.
    """
    good = set(good_clothes_types)
    return [t.name for t in CLOTH_TYPES.values() if good >= set(t.garments)]
