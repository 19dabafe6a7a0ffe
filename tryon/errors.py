"""The FitRoom check codes: one table, read by the API (documented text) and the studio (plain words)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckCode:
    code: str
    is_error: bool  # 400xxx stop the flow; 410xxx are warnings
    documented: str  # FitRoom's own description
    friendly: str  # what the studio tells a shopper
    hint: str  # how to fix it


CHECK_CODES = {
    c.code: c
    for c in [
        CheckCode(
            "410001",
            False,
            "Person is slightly small in the image. Please crop to have good result.",
            "The person is a little small in this photo.",
            "Crop the photo closer around the person for a sharper result.",
        ),
        CheckCode(
            "410002",
            False,
            "Model pose is undetermined. Please make sure the model is standing straight.",
            "We could not quite make out the pose.",
            "A photo of the person standing straight, arms relaxed, works best.",
        ),
        CheckCode(
            "410003",
            False,
            "Model pose may be not supported. Please make sure the model is standing straight.",
            "This pose may not work well.",
            "Try a photo where the person stands straight with arms down by their sides.",
        ),
        CheckCode(
            "400001",
            True,
            "No person detected in the image",
            "We could not find a person in this photo.",
            "Choose a photo that shows one person from head to at least the hips.",
        ),
        CheckCode(
            "400002",
            True,
            "More than one person detected in the image",
            "There is more than one person in this photo.",
            "Choose a photo of just one person, or crop the others out.",
        ),
        CheckCode(
            "400003",
            True,
            "Person is not facing forward",
            "We can only dress people facing the camera.",
            "Try a photo taken from the front.",
        ),
        CheckCode(
            "400004",
            True,
            "Person is too small in the image",
            "The person is too small in this photo.",
            "Use a photo where the person fills most of the frame.",
        ),
    ]
}
