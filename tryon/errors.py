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
            "This pose may not render well.",
            "Raised or crossed arms and twisted poses often come out wrong. For a good result, choose a photo"
            " where the person stands straight with arms down by their sides.",
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


@dataclass(frozen=True)
class PlainWords:
    """A problem told the way a shopper would put it: what happened, then what to do."""

    friendly: str
    hint: str


# Why an upload could not be used, by the form error's code or by words in the decoder's message
# (tryon.engine.images); the first match wins. Limits and field names stay out: a shopper
# cannot act on "40 megapixels", they can on "choose a smaller copy".
UPLOAD_PROBLEMS = [
    ("required", PlainWords("No photo was chosen.", "Choose a photo to go on.")),
    ("empty", PlainWords("This file is empty.", "Choose the photo again, or another one.")),
    (
        "larger than",
        PlainWords(
            "This photo is too big to upload.", "Choose a smaller copy, for example one shared from your phone."
        ),
    ),
    (
        "too_large",
        PlainWords(
            "This photo is too big to upload.", "Choose a smaller copy, for example one shared from your phone."
        ),
    ),
    (
        "pixels",
        PlainWords(
            "This photo is too big for us to open.", "Choose a smaller copy, for example one shared from your phone."
        ),
    ),
    (
        "smaller than",
        PlainWords("This picture is too small.", "Choose a larger photo, at least the size of a phone screen."),
    ),
    (
        "damaged",
        PlainWords("This photo seems damaged or only half uploaded.", "Choose it again, or choose another photo."),
    ),
    ("not a", PlainWords("We can't open this kind of file.", "Choose a photo: JPEG, PNG, WebP or HEIC.")),
]
UNREADABLE_UPLOAD = PlainWords("We couldn't open this photo.", "Choose another photo: JPEG, PNG, WebP or HEIC.")


def upload_problem(code: str, message: str = "") -> PlainWords:
    """Plain words for a refused upload, from the form error's code and the decoder's message."""
    for words, problem in UPLOAD_PROBLEMS:
        if code == words or words in message:
            return problem
    return UNREADABLE_UPLOAD


# The studio's own dead ends, each with the way out.
STUDIO_PROBLEMS = {
    "engine_unavailable": PlainWords(
        "Our try-on service is taking a break.", "Your photos are kept here. Please try again in a minute."
    ),
    "no_clothes_types": PlainWords(
        "This photo shows too little of the person to dress.",
        "Choose a photo from the head down to at least the hips, facing the camera.",
    ),
    "not_clothes": PlainWords(
        "This doesn't look like a single garment on a plain background.",
        "Use a product photo of one garment, laid flat or on a plain wall."
        " A photo of someone wearing it won't work here.",
    ),
}

# A failed try-on's stored error (the engine's words) in plain words; retry_helps says whether
# running the same photos again can succeed, so the page doesn't offer a Retry that only repeats it.
TASK_PROBLEMS = [
    (
        "no person found",
        PlainWords(
            "We couldn't find the person in the model photo.", "Choose a photo of one person facing the camera."
        ),
        False,
    ),
    (
        "no garment found",
        PlainWords(
            "We couldn't find a garment in the garment photo.",
            "Choose a product photo of one garment on a plain background.",
        ),
        False,
    ),
    ("timed out", PlainWords("This try-on took too long.", "Our service was busy. Retry: your photos are kept."), True),
    (
        "waited too long",
        PlainWords("This try-on waited too long to start.", "Our service was busy. Retry: your photos are kept."),
        True,
    ),
]
TASK_FAILED = PlainWords("Something went wrong on our side.", "Retry: your photos are kept, nothing to upload.")


def task_problem(error: str) -> tuple[PlainWords, bool]:
    """Plain words for a failed task's error, and whether a retry with the same photos can help."""
    for words, problem, retry_helps in TASK_PROBLEMS:
        if words in error:
            return problem, retry_helps
    return TASK_FAILED, True


# Why a garment image address could not be used (tryon.image_urls reasons), in plain words.
IMAGE_ADDRESS_PROBLEMS = {
    "not_http": PlainWords("That isn't a web address.", "Paste an address that starts with https://."),
    "not_public": PlainWords(
        "We can only fetch pictures from public websites.", "Paste the address of a picture on a shop's website."
    ),
    "unreachable": PlainWords(
        "We couldn't get a picture from that address.",
        "Check the address, or save the picture and choose it as a file.",
    ),
    "not_image": PlainWords(
        "That address isn't a picture.",
        "On the shop's page, right-click (or long-press) the product photo and copy the image address.",
    ),
    "too_large": PlainWords("That picture is too big to fetch.", "Save it and choose a smaller copy as a file."),
    "too_slow": PlainWords(
        "That website took too long to answer.", "Try again, or save the picture and choose it as a file."
    ),
    "too_many_redirects": PlainWords("That address sends us on too far.", "Paste the picture's own address."),
}
