"""Person analysis and FitRoom's model check.

:func:`analyse_person` finds the main person in a model image with mediapipe
Pose (landmarks + a per-person segmentation mask) and counts whether anyone
else is in the picture. :func:`check_model_image` turns that analysis into the
FitRoom "Check Model Image" answer: ``is_good``, an ``error_code`` from the
documented table and the ``good_clothes_types``.

Error codes (``is_good`` false, no clothes types):

- 400001 no person in the image
- 400002 more than one person
- 400003 not facing forward (back view or side view)
- 400004 the person is too small

Warnings (``is_good`` stays true, clothes types are still returned):

- 410001 the person is slightly small
- 410002 the pose could not be determined (low confidence, not upright)
- 410003 the pose may be unsupported (not standing straight: arms raised or
  spread, sitting, bent knees, leaning torso)

Every threshold below was calibrated on the dev photos described in
``shared/notes/engine-feasibility.md`` and on ``tests/fixtures``; each says what
it separates. Only mediapipe 0.10.21's bundled legacy models are used (pose at
complexity 1, selfie segmentation), so the check runs offline.

The models are built on first use, once per process, and shared between threads
behind a lock. mediapipe cannot be used in a process forked after that, so
worker processes must be forked before the first check (django-q2 and gunicorn
without ``--preload`` do so); a late fork gets a clear RuntimeError.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from tryon.cloth_types import CHECK_TYPES, REQUIRED_LANDMARKS

# Landmark indices of mediapipe Pose (BlazePose, 33 points). "Left" is the
# subject's own left, which is on the image's right for a person facing us.
LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
LEFT_HIP, RIGHT_HIP = 23, 24
LEFT_KNEE, RIGHT_KNEE = 25, 26
LEFT_ANKLE, RIGHT_ANKLE = 27, 28
LEFT_HEEL, RIGHT_HEEL = 29, 30

# Body segments drawn in the web UI's overlay (shoulders, torso, arms, legs).
OUTLINE_SEGMENTS = (
    (LEFT_SHOULDER, RIGHT_SHOULDER),
    (LEFT_SHOULDER, LEFT_HIP),
    (RIGHT_SHOULDER, RIGHT_HIP),
    (LEFT_HIP, RIGHT_HIP),
    (LEFT_SHOULDER, LEFT_ELBOW),
    (LEFT_ELBOW, LEFT_WRIST),
    (RIGHT_SHOULDER, RIGHT_ELBOW),
    (RIGHT_ELBOW, RIGHT_WRIST),
    (LEFT_HIP, LEFT_KNEE),
    (LEFT_KNEE, LEFT_ANKLE),
    (RIGHT_HIP, RIGHT_KNEE),
    (RIGHT_KNEE, RIGHT_ANKLE),
)

# The clothes types and the landmarks each needs to be worn come from the one table of cloth
# types; ankles cut off below the shins are still allowed for lower clothes (SHIN_SHOWN_THIGH).
CLOTHES_TYPES = CHECK_TYPES

# Long side of the image mediapipe sees; larger images are shrunk first and
# landmarks, mask and box are mapped back to the caller's pixels. The pose
# networks run at 224-256 px internally, so this mostly sets the resolution of
# the person mask render uses (and the precision of landmarks on small people).
WORKING_SIDE = 1024

# A landmark counts as seen when its visibility is above this (mediapipe's own
# drawing utilities use 0.5).
VISIBLE = 0.5
# Pixels of the person mask above this belong to the person.
MASK_THRESHOLD = 0.5

# --- 400001: no person -------------------------------------------------------
# Only mediapipe's own detector decides, at its default score 0.5. Lowering it
# finds "people" in flat-lay garments with fully visible, well-proportioned
# landmarks (a black tee: shoulder/torso 0.73, upright), so nothing after the
# detector could tell them apart again. See _find_pose for the second looks.
DETECTION_SCORE = 0.5
# Scores this close to DETECTION_SCORE are marginal. Re-encoding a photo of
# a person as JPEG q90 moved the score by at most 0.02 (dev + fixtures), so
# 0.05 covers storage with room to spare (on garment photos the detector is
# far less steady: a pair of jeans went from 0.38 to 0.51); the mirror image's score differs by up to 0.35,
# which is why the mean of both settles a marginal photo. (A margin of 0.1
# also refused a legs-only catalogue photo at 0.59 whose mirror scores 0.38.)
DETECTION_MARGIN = 0.05
# A second graph keeps detections down to this score, so marginal ones are seen.
DETECTOR_FLOOR = 0.3
# A photo whose 95th percentile of pixel chroma (max - min channel, 0-255) is
# at most this counts as black-and-white: grey JPEGs measure 0. Some colour
# photos measure 5-18 too (white shirt and black trousers on a white wall, a
# skier on snow); for them the extra looks only cost time.
COLOURLESS_CHROMA = 20
# A black-and-white photo's equalised-luminance looks find a person at this
# score: faceless full-body people reach 0.6-0.85 there, flat-lay black or white
# garments 0.53.
LUMINANCE_LOOK_SCORE = 0.6

# --- 400002: more than one person ---------------------------------------------
# Both people-count probes run on a copy with this long side: the pose detector
# and selfie segmentation work at 224-256 px inside anyway, and the probes cost
# half as much as at 1024 px (whole check p50 50 vs 85 ms, same machine and
# load); every dev and fixture photo gets the same code either way.
PROBE_SIDE = 512
# Second pose pass after greying out the main person's box (grown by this
# fraction on each side): a pose found there whose mean visibility exceeds
# SECOND_POSE_VISIBILITY is a second person. 5% rather than 10%: people walking
# side by side stand close, and a wider grey box hides part of the neighbour
# (dev + fixtures, 8 perturbations each: 10% missed 3 of 32 two-people cases,
# 5% missed 1; neither flagged a single person).
GREY_OUT_MARGIN = 0.05
SECOND_POSE_VISIBILITY = 0.5
# ... and whose torso is at least this fraction of the image height: smaller
# "people" are background clutter (a ceiling projector read as a 0.06 figure
# beside a small person; real second people measured 0.10-0.55).
SECOND_PERSON_MIN_TORSO = 0.08
# Selfie segmentation covers everyone; its pixels outside the dilated pose mask
# and above the main person's hips, as a fraction of the main person's area.
# Only rows above the hips count because shadows on the ground (a person sitting
# on a street: 0.42 in all rows) fall below them, while anyone standing or
# sitting nearby shows a head and shoulders there. Dev + fixtures: several
# people 0.41-1.77, one person <= 0.22 (a bust, whose hips are out of frame).
RESIDUAL_PEOPLE_RATIO = 0.35
RESIDUAL_DILATE_FRACTION = 0.03  # of the person's box height

# --- upright, facing ---------------------------------------------------------
# Torso axis (hip centre -> shoulder centre) further than this from vertical:
# the photo is rotated or the person is lying down, so facing can't be judged.
UPRIGHT_MAX_DEGREES = 30.0
# Shoulder width / torso length below this is a side view. Dev: frontal
# 0.55-0.86, side (skier) 0.31.
SIDE_VIEW_RATIO = 0.45
# Between the two ratios the body is turned about three-quarters: usable, but
# the angle is uncertain, so it is a 410002 warning rather than an error.
TURNED_VIEW_RATIO = 0.5
# The same from mediapipe's 3-D world landmarks: how far the shoulder and hip
# lines turn out of the image plane (0 = square to the camera, 90 = profile).
# Dev + fixtures: frontal 1-22 degrees, skier 45; back views read as frontal
# here (the left/right swap catches them).
SIDE_VIEW_TURN_DEGREES = 65.0
TURNED_VIEW_TURN_DEGREES = 40.0

# --- size ---------------------------------------------------------------------
# Torso length / image height. Dev: small persons 0.09-0.11, catalogue photos
# 0.24-0.58.
TOO_SMALL_TORSO = 0.12
SLIGHTLY_SMALL_TORSO = 0.20

# --- 410002: undetermined -----------------------------------------------------
# Mean visibility of the shoulders and hips below this: the body is too hidden.
# Dev: full and half-body photos 0.91-1.00, chest-up astronaut 0.62.
UNDETERMINED_CORE_VISIBILITY = 0.7

# --- 410003: not standing straight ----------------------------------------------
# Wrists further apart than this many shoulder widths: arms spread. Dev:
# arms down or hands on hips 0.2-1.6, T-pose 3.7, yoga 4.1.
ARMS_SPREAD_RATIO = 2.5
# A wrist higher than its shoulder by this fraction of the torso: arm raised.
# The margin keeps a hand resting on the collarbone from counting.
ARM_RAISED_TORSO = 0.1
# Torso leaning more than this from vertical (but still upright). Dev
# standing people 0-9 degrees.
LEAN_MAX_DEGREES = 15.0
# Thigh (hip -> knee) further than this from vertical: sitting or a wide
# stance. Dev standing 0-15 degrees, yoga stance 49/77, sitting 122/136.
THIGH_MAX_DEGREES = 30.0
# Knee angle (hip-knee-ankle) below this: knees bent, crouching or sitting.
# Dev standing 156-180, a walking stride 139, skier 119, sitting 52-107.
KNEE_MIN_DEGREES = 140.0
# Thigh shorter than this fraction of the torso: foreshortened by sitting
# towards the camera. Dev standing people 0.48-0.93.
THIGH_MIN_TORSO = 0.4
# Arms crossed over the torso: the wrists swap sides (or meet), measured along
# the shoulder line in shoulder widths: left wrist minus right wrist. Dev arms
# down or in pockets 0.9-1.6, hand on hip 1.4; arms crossed -0.5 and 0.0.
ARMS_CROSSED_SPAN = 0.25
# ... and both wrists are in front of the chest: between these fractions of the
# way from the shoulders down to the hips (crossed arms 0.35-0.5), and at about
# the same height (within ARMS_CROSSED_LEVEL of the torso). One hand at the
# chest and the other at the hip, as in person_business_upper.jpg (0.23 and
# 0.85), is a usable pose.
ARMS_CROSSED_FROM, ARMS_CROSSED_TO = 0.15, 0.75
ARMS_CROSSED_LEVEL = 0.25

# --- clothes types --------------------------------------------------------------
# Lower (and full) clothes need the legs down to the ankles, or, with the feet
# cut off, the photo going on below both knees by this fraction of the thigh:
# a knee-length skirt photo cut at mid-shin shows 0.25 and 0.42 (the legs
# crossed, so the thighs measure long); knee-up photos end at or above the knees.
SHIN_SHOWN_THIGH = 0.15


@dataclass
class PersonAnalysis:
    """What the engine knows about the main person in a model image.

    Coordinates are in pixels of the analysed image (``width`` x ``height``).
    """

    width: int
    height: int
    landmarks: np.ndarray  # (33, 4) float32: x_px, y_px, z, visibility (mediapipe Pose order)
    person_mask: np.ndarray  # (H, W) float32 0..1, the main person
    people_count: int  # 1, or 2 meaning "more than one"
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the main person
    facing: str  # "front", "back" or "side", judged across the torso axis
    upright: bool  # torso within UPRIGHT_MAX_DEGREES of vertical
    torso_length: float  # shoulder centre to hip centre, pixels
    shoulder_width: float  # shoulder joint to shoulder joint, pixels
    torso_angle: float  # degrees from vertical, 0 = upright, 180 = upside down
    turn: float  # degrees the body turns away from the camera, 0 = square on, 90 = profile
    core_visibility: float  # mean visibility of shoulders and hips
    selfie_residual: float  # selfie-mask pixels outside the person / person area

    def point(self, index: int) -> np.ndarray:
        """(x, y) of a landmark in pixels."""
        return self.landmarks[index, :2]

    def visible(self, index: int) -> bool:
        """True when the landmark is confidently seen and inside the image."""
        x, y, _, visibility = self.landmarks[index]
        return bool(visibility > VISIBLE and 0 <= x < self.width and 0 <= y < self.height)

    @property
    def shoulder_centre(self) -> np.ndarray:
        """Midpoint of the shoulder joints, pixels."""
        return (self.point(LEFT_SHOULDER) + self.point(RIGHT_SHOULDER)) / 2

    @property
    def hip_centre(self) -> np.ndarray:
        """Midpoint of the hip joints, pixels."""
        return (self.point(LEFT_HIP) + self.point(RIGHT_HIP)) / 2


@dataclass(frozen=True)
class ModelCheck:
    """FitRoom's answer to "Check Model Image", plus overlay hints for the web UI."""

    is_good: bool
    error_code: str | None
    good_clothes_types: list[str]
    person_box: tuple[float, float, float, float] | None  # normalised x0, y0, x1, y1
    pose_outline: list[tuple[tuple[float, float], tuple[float, float]]]  # normalised segments


class _Models:
    """mediapipe solution objects, built once per process.

    The legacy solutions keep graph state and are not thread-safe, so every use
    goes through ``lock``.
    """

    lock = threading.Lock()
    pose = None  # the detector at DETECTION_SCORE, as mediapipe's own Pose solution
    pose_low = None  # the same graph keeping detections down to DETECTOR_FLOOR
    selfie = None
    built_before_fork = False


def _after_fork_in_child() -> None:
    # A forked process inherits the parent's graphs without their threads:
    # using them hangs, and building new ones aborts inside mediapipe
    # ("malloc(): unaligned tcache chunk", measured with 0.10.21). Remember it,
    # so the first check here fails with a clear message instead.
    _Models.lock = threading.Lock()
    if _Models.pose is not None:
        _Models.built_before_fork = True


os.register_at_fork(after_in_child=_after_fork_in_child)


def _models() -> type[_Models]:
    if _Models.built_before_fork:
        raise RuntimeError(
            "mediapipe's graphs were built before this process was forked and cannot be used here; "
            "run the first model check in each worker process, not in the parent that forks them"
        )
    if _Models.pose is None:
        with _Models.lock:
            if _Models.pose is None:
                _load_models()
    return _Models


def load_models() -> None:
    """Build this process's graphs now (a queue worker at start-up) rather than in its first try-on."""
    _models()


def _load_models() -> None:
    import mediapipe as mp

    # Complexity 1 is the only pose model in the 0.10.21 wheel; without these
    # files mediapipe would try to download them and fail obscurely offline.
    modules = Path(mp.__file__).parent / "modules"
    needed = [
        modules / "pose_detection" / "pose_detection.tflite",
        modules / "pose_landmark" / "pose_landmark_full.tflite",
        modules / "selfie_segmentation" / "selfie_segmentation.tflite",
    ]
    missing = [str(path) for path in needed if not path.is_file()]
    if missing:
        raise RuntimeError("mediapipe's bundled models are missing (install mediapipe==0.10.21): " + ", ".join(missing))
    # mediapipe 0.10.21 logs through absl and TFLite straight to file
    # descriptor 2 while it builds its graphs, and neither GLOG_minloglevel nor
    # TF_CPP_MIN_LOG_LEVEL quiets it. Building and warming up the graphs once
    # here with fd 2 pointed at /dev/null keeps those lines out of the logs and
    # moves the start-up cost out of the first request.
    with _stderr_silenced():
        selfie = mp.solutions.selfie_segmentation.SelfieSegmentation(model_selection=0)
        pose = _pose_graph(DETECTION_SCORE)
        pose_low = _pose_graph(DETECTOR_FLOOR)
        blank = np.zeros((256, 256, 3), np.uint8)
        selfie.process(blank)
        pose.process(blank)
        pose_low.process(blank)
    _Models.selfie = selfie
    _Models.pose_low = pose_low
    _Models.pose = pose


def _pose_graph(min_score: float):
    """mediapipe Pose for single photos, also reporting the detector's best score.

    The same graph, side packets and thresholds as ``mp.solutions.pose.Pose(
    static_image_mode=True, model_complexity=1, enable_segmentation=True,
    min_detection_confidence=min_score)``, plus the detection as an output.
    Two graphs, because the threshold is not only a cut: the detector blends
    overlapping candidates above it into one box, so a lower threshold moves
    the landmarks too (by up to a third of the image on the astronaut bust).
    """
    from mediapipe.python.solution_base import SolutionBase
    from mediapipe.python.solutions import pose

    return SolutionBase(
        binary_graph_path=pose._BINARYPB_FILE_PATH,
        side_inputs={
            "model_complexity": 1,
            "smooth_landmarks": False,
            "enable_segmentation": True,
            "smooth_segmentation": False,
            "use_prev_landmarks": False,
        },
        calculator_params={
            "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": min_score,
            "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__ThresholdingCalculator.threshold": 0.5,
        },
        outputs=["pose_landmarks", "pose_world_landmarks", "segmentation_mask", "pose_detection"],
    )


@contextlib.contextmanager
def _stderr_silenced():
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _Pose(NamedTuple):
    """One pose pass over an image, as plain arrays."""

    score: float  # the detector's best score, 0 when it found nothing above the graph's threshold
    landmarks: np.ndarray | None  # (33, 4) normalised x, y, z, visibility; None when nobody was found
    world: np.ndarray | None  # (33, 3) metres, hips at the origin
    segmentation_mask: np.ndarray  # (h, w) float32, owned by us

    @property
    def found(self) -> bool:
        return self.landmarks is not None


# Landmark order after a left-right flip: each "left" point swaps with its "right" twin.
_MIRRORED = np.arange(33)
for _left, _right in ((1, 4), (2, 5), (3, 6), (7, 8), (9, 10), *((i, i + 1) for i in range(11, 33, 2))):
    _MIRRORED[_left], _MIRRORED[_right] = _right, _left


def _run_pose(rgb: np.ndarray, low: bool = False) -> _Pose:
    """mediapipe Pose on an RGB array (``low``: the graph keeping marginal detections).

    The mask is copied while the graph is still ours.
    """
    models = _models()
    graph = models.pose_low if low else models.pose
    with models.lock:
        result = graph.process(np.ascontiguousarray(rgb))
        mask = result.segmentation_mask
        # The mask is a view of mediapipe's output buffer: own it before the next call.
        mask = np.zeros(rgb.shape[:2], np.float32) if mask is None else np.array(mask, np.float32)
    detection = result.pose_detection
    score = float(detection.score[0]) if detection is not None and len(detection.score) else 0.0
    if result.pose_landmarks is None:
        return _Pose(score, None, None, mask)
    points = result.pose_landmarks.landmark
    landmarks = np.array([(p.x, p.y, p.z, p.visibility) for p in points], dtype=np.float32)
    world = None
    if result.pose_world_landmarks is not None:
        world = np.array([(p.x, p.y, p.z) for p in result.pose_world_landmarks.landmark], dtype=np.float32)
    return _Pose(score, landmarks, world, mask)


def _run_pose_mirrored(rgb: np.ndarray, low: bool = False) -> _Pose:
    """Pose on the left-right mirror image, mapped back onto ``rgb``.

    Mirrored, a person's left side is seen where the right was, so besides
    flipping x the left and right landmarks swap names; a back view thus stays
    a back view.
    """
    found = _run_pose(rgb[:, ::-1], low)
    if not found.found:
        return found
    landmarks = found.landmarks[_MIRRORED].copy()
    landmarks[:, 0] = 1.0 - landmarks[:, 0]
    world = None
    if found.world is not None:
        world = found.world[_MIRRORED].copy()
        world[:, 0] = -world[:, 0]
    return _Pose(found.score, landmarks, world, np.ascontiguousarray(found.segmentation_mask[:, ::-1]))


def _colourless(rgb: np.ndarray) -> bool:
    """True for black-and-white (or lightly toned) photos: almost no pixel has colour."""
    sample = rgb[:: max(1, rgb.shape[0] // 256), :: max(1, rgb.shape[1] // 256)].astype(np.int16)
    chroma = sample.max(axis=2) - sample.min(axis=2)
    return float(np.percentile(chroma, 95)) <= COLOURLESS_CHROMA


def _equalised_luminance(rgb: np.ndarray) -> np.ndarray:
    """Luminance with local contrast equalised (CLAHE), as a 3-channel image."""
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    grey = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(grey)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


def _find_pose(rgb: np.ndarray) -> _Pose | None:
    """The main person's pose, or None: the one place that decides whether someone is there.

    The detector's score on the photo decides, with two second looks:

    - a score within DETECTION_MARGIN of DETECTION_SCORE is marginal, and a
      re-encoded copy of the same photo can land on the other side. The mirror
      image is scored too and the mean of both decides, so one photo gets one
      verdict however it was stored. A higher score whose landmarks were
      doubted gets the same second look.
    - the detector was trained on colour photos and scores people in
      black-and-white ones far lower (frontal full-body photos without a face:
      0.8-0.9 in colour, 0.2-0.45 in grey), and the landmark model sees them
      less surely (a hip at visibility 0.49). A colourless photo is first
      looked at as its contrast-equalised luminance, then that image's mirror
      (0.6-0.85 for those people, hips 0.9): the first reaching
      LUMINANCE_LOOK_SCORE finds the person, else the photo is judged as it
      is. Colour photos don't get these looks: there they only found more
      "people" in garment photos.
    """
    if _colourless(rgb):
        luminance = _equalised_luminance(rgb)
        for look in (_run_pose, _run_pose_mirrored):
            view = look(luminance)
            if view.found and view.score >= LUMINANCE_LOOK_SCORE:
                return _upright_reading(rgb, view)
    plain = _run_pose(rgb)
    if plain.found and plain.score >= DETECTION_SCORE + DETECTION_MARGIN:
        return _upright_reading(rgb, plain)
    if not plain.found:
        # Nothing at the usual threshold, or a detection the landmark model
        # then doubted (a clear 0.83 did so on one re-encoded copy only): see
        # how far below the threshold the best candidate is, and where the
        # candidates kept at the lower threshold put the person.
        plain = _run_pose(rgb, low=True)
        if plain.score < DETECTION_SCORE - DETECTION_MARGIN:
            return None
    mirror = _run_pose_mirrored(rgb, low=True)
    if (plain.score + mirror.score) / 2 < DETECTION_SCORE:
        return None
    if plain.found:
        return _upright_reading(rgb, plain, mirror)
    return mirror if mirror.found else None


def _reads_upright(found: _Pose, shape) -> bool:
    """Whether a pose has its shoulders above its hips, within UPRIGHT_MAX_DEGREES."""
    height, width = shape[:2]
    points = found.landmarks[:, :2] * (width, height)
    torso = points[[LEFT_SHOULDER, RIGHT_SHOULDER]].mean(0) - points[[LEFT_HIP, RIGHT_HIP]].mean(0)
    return _angle_from(torso, (0.0, -1.0)) <= UPRIGHT_MAX_DEGREES


def _upright_reading(rgb: np.ndarray, found: _Pose, mirror: _Pose | None = None) -> _Pose:
    """``found``, or the mirror image's reading when only that one is upright.

    The detector also guesses which way up the body is. With no head or
    shoulders in the frame (legs-only product photos) it can guess upside
    down, and the landmark model then puts "knees" above the hips; the mirror
    image read the same legs the right way up. Whether anyone is there was
    already decided; this only picks the reading. A photo that really is
    upside down reads upside down both ways and stays as it is.
    """
    if _reads_upright(found, rgb.shape):
        return found
    if mirror is None:
        mirror = _run_pose_mirrored(rgb, low=True)
    if mirror.found and _reads_upright(mirror, rgb.shape):
        return mirror
    return found


def _run_selfie(rgb: np.ndarray) -> np.ndarray:
    """Selfie segmentation (everyone in the picture) as an owned float32 array."""
    models = _models()
    with models.lock:
        return np.array(models.selfie.process(rgb).segmentation_mask, np.float32)


def _landmark_array(pose: _Pose, width: int, height: int) -> np.ndarray:
    landmarks = pose.landmarks.copy()
    landmarks[:, 0] *= width
    landmarks[:, 1] *= height
    return landmarks


def _shrunk(image: Image.Image) -> Image.Image:
    """``image`` with its long side at most WORKING_SIDE (the same object if it fits)."""
    scale = WORKING_SIDE / max(image.size)
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR)


def _working_copy(image: Image.Image) -> tuple[np.ndarray, float]:
    """RGB uint8 array with the long side at most WORKING_SIDE, and its scale."""
    small = _shrunk(image)
    scale = max(small.size) / max(image.size)
    return np.ascontiguousarray(np.asarray(small.convert("RGB"), dtype=np.uint8)), scale


def _box_of(mask: np.ndarray, landmarks: np.ndarray, width: int, height: int):
    """Bounding box of the mask, or of the seen landmarks if the mask is empty."""
    ys, xs = np.nonzero(mask > MASK_THRESHOLD)
    if len(xs):
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
    seen = landmarks[landmarks[:, 3] > VISIBLE]
    if not len(seen):
        seen = landmarks
    x0, y0 = np.clip(seen[:, :2].min(axis=0), 0, [width - 1, height - 1])
    x1, y1 = np.clip(seen[:, :2].max(axis=0), 0, [width, height])
    return int(x0), int(y0), int(math.ceil(x1)), int(math.ceil(y1))


def _second_person(rgb: np.ndarray, landmarks: np.ndarray, box) -> bool:
    """Run pose again with the main person greyed out; True if someone else shows up."""
    height, width = rgb.shape[:2]
    x0, y0, x1, y1 = box
    # Landmarks can lie outside the mask (a hand cut off by segmentation).
    x0 = min(x0, float(landmarks[:, 0].min()))
    x1 = max(x1, float(landmarks[:, 0].max()))
    y0 = min(y0, float(landmarks[:, 1].min()))
    y1 = max(y1, float(landmarks[:, 1].max()))
    mx, my = (x1 - x0) * GREY_OUT_MARGIN, (y1 - y0) * GREY_OUT_MARGIN
    gx0, gy0 = max(0, int(x0 - mx)), max(0, int(y0 - my))
    gx1, gy1 = min(width, int(x1 + mx)), min(height, int(y1 + my))
    greyed = rgb.copy()
    greyed[gy0:gy1, gx0:gx1] = 128
    # The mirror image too: the detector's score for the same person differs by
    # up to 0.35 between the two, and black-and-white photos lose people there
    # first (two people walking in grey: 0.0 as it is, 0.69 mirrored). Plain
    # passes at the usual threshold: _find_pose's further looks would triple
    # the time of every check for a person this probe rarely needs them for.
    for look in (_run_pose, _run_pose_mirrored):
        found = look(greyed)
        if not found.found:
            continue
        other = _landmark_array(found, width, height)
        torso = np.linalg.norm(
            other[[LEFT_SHOULDER, RIGHT_SHOULDER], :2].mean(0) - other[[LEFT_HIP, RIGHT_HIP], :2].mean(0)
        )
        if other[:, 3].mean() > SECOND_POSE_VISIBILITY and torso > SECOND_PERSON_MIN_TORSO * height:
            return True
    return False


def _selfie_residual(rgb: np.ndarray, person: np.ndarray, box, hip_y: float) -> float:
    """Share of 'someone' pixels (selfie segmentation) outside the main person, above its hips."""
    import cv2

    from .arrays import morph_by_rows

    everyone = _run_selfie(rgb) > MASK_THRESHOLD
    person_pixels = person > MASK_THRESHOLD
    area = int(person_pixels.sum())
    if area == 0:
        return 0.0
    radius = max(1, int((box[3] - box[1]) * RESIDUAL_DILATE_FRACTION))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    grown = morph_by_rows(person_pixels.astype(np.uint8), kernel, True) > 0  # cv2.dilate's values, faster
    rows = max(0, int(hip_y))
    return float((everyone[:rows] & ~grown[:rows]).sum()) / area


def _angle_from(vector, reference) -> float:
    """Angle in degrees (0-180) between two 2-D vectors."""
    norm = float(np.linalg.norm(vector)) * float(np.linalg.norm(reference))
    if norm == 0:
        return 0.0
    cos = float(np.dot(vector, reference)) / norm
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def _count_people(rgb: np.ndarray, mask: np.ndarray, landmarks: np.ndarray, box) -> tuple[bool, float]:
    """(someone besides the main person?, selfie residual), probed at PROBE_SIDE."""
    import cv2

    height, width = rgb.shape[:2]
    scale = min(1.0, PROBE_SIDE / max(width, height))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        mask = cv2.resize(mask, size, interpolation=cv2.INTER_AREA)
        landmarks = landmarks.copy()
        landmarks[:, :2] *= scale
        box = tuple(v * scale for v in box)
    hip_y = float(landmarks[[LEFT_HIP, RIGHT_HIP], 1].mean())
    residual = _selfie_residual(rgb, mask, box, hip_y)
    # The selfie test is the cheaper one; the second pose pass runs only when it is silent.
    several = residual > RESIDUAL_PEOPLE_RATIO or _second_person(rgb, landmarks, box)
    return several, residual


def _turn_degrees(found: _Pose) -> float:
    """Mean angle of the shoulder and hip lines out of the image plane (world landmarks)."""
    if found.world is None:
        return 0.0
    world = found.world
    angles = []
    for left, right in ((LEFT_SHOULDER, RIGHT_SHOULDER), (LEFT_HIP, RIGHT_HIP)):
        dx = world[left, 0] - world[right, 0]
        dz = world[left, 2] - world[right, 2]
        angles.append(math.degrees(math.atan2(abs(dz), abs(dx))))
    return sum(angles) / len(angles)


def analyse_person(image: Image.Image) -> PersonAnalysis | None:
    """Find the main person in ``image``; None when there is nobody.

    Runs mediapipe Pose at a working size (long side at most WORKING_SIDE) and
    maps landmarks and mask back to ``image``'s pixels. People are counted with
    a second pose pass over the image with the main person greyed out, and with
    selfie segmentation pixels that the main person's mask doesn't explain.
    """
    import cv2

    width, height = image.size
    rgb, scale = _working_copy(image)
    work_h, work_w = rgb.shape[:2]
    found = _find_pose(rgb)
    if found is None:
        return None
    work_landmarks = _landmark_array(found, work_w, work_h)
    core = work_landmarks[[LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP], 3]
    work_mask = found.segmentation_mask
    work_box = _box_of(work_mask, work_landmarks, work_w, work_h)

    several, residual = _count_people(rgb, work_mask, work_landmarks, work_box)

    landmarks = _landmark_array(found, width, height)
    person_mask = work_mask
    if scale < 1.0:
        person_mask = cv2.resize(work_mask, (width, height), interpolation=cv2.INTER_LINEAR)
    x0, y0, x1, y1 = (round(v / scale) for v in work_box)
    box = (min(x0, width), min(y0, height), min(x1, width), min(y1, height))

    shoulders = landmarks[LEFT_SHOULDER, :2] - landmarks[RIGHT_SHOULDER, :2]
    hips = landmarks[LEFT_HIP, :2] - landmarks[RIGHT_HIP, :2]
    shoulder_centre = (landmarks[LEFT_SHOULDER, :2] + landmarks[RIGHT_SHOULDER, :2]) / 2
    hip_centre = (landmarks[LEFT_HIP, :2] + landmarks[RIGHT_HIP, :2]) / 2
    torso = shoulder_centre - hip_centre
    torso_length = float(np.linalg.norm(torso))
    shoulder_width = float(np.linalg.norm(shoulders))
    # Image y grows downwards, so "up" is (0, -1).
    torso_angle = _angle_from(torso, (0.0, -1.0))
    upright = torso_angle <= UPRIGHT_MAX_DEGREES
    # Facing us, the subject's left shoulder and hip are on the image's right;
    # a back view swaps both pairs. "Right" is taken across the torso axis, so
    # an upside-down frontal photo still reads as frontal (and not as a back).
    up = torso / max(torso_length, 1e-6)
    across = np.array([-up[1], up[0]])
    turn = _turn_degrees(found)
    if shoulder_width < SIDE_VIEW_RATIO * torso_length or turn > SIDE_VIEW_TURN_DEGREES:
        facing = "side"
    elif float(shoulders @ across) < 0 and float(hips @ across) < 0:
        facing = "back"
    else:
        facing = "front"

    return PersonAnalysis(
        width=width,
        height=height,
        landmarks=landmarks,
        person_mask=person_mask,
        people_count=2 if several else 1,
        box=box,
        facing=facing,
        upright=upright,
        torso_length=torso_length,
        shoulder_width=shoulder_width,
        torso_angle=torso_angle,
        turn=turn,
        core_visibility=float(core.mean()),
        selfie_residual=residual,
    )


def _arms_crossed(person: PersonAnalysis) -> bool:
    """Both forearms across the chest (ARMS_CROSSED_*)."""
    lm = person.landmarks
    if not (person.visible(LEFT_WRIST) and person.visible(RIGHT_WRIST)):
        return False
    shoulders = lm[LEFT_SHOULDER, :2] - lm[RIGHT_SHOULDER, :2]
    width = float(np.linalg.norm(shoulders))
    if width < 1.0:
        return False
    span = float((lm[LEFT_WRIST, :2] - lm[RIGHT_WRIST, :2]) @ shoulders) / width**2
    top = float(person.shoulder_centre[1])
    length = float(person.hip_centre[1]) - top
    if length < 1.0:
        return False
    depths = [(float(lm[wrist, 1]) - top) / length for wrist in (LEFT_WRIST, RIGHT_WRIST)]
    return (
        span < ARMS_CROSSED_SPAN
        and all(ARMS_CROSSED_FROM <= depth <= ARMS_CROSSED_TO for depth in depths)
        and abs(depths[0] - depths[1]) <= ARMS_CROSSED_LEVEL
    )


def _pose_unsupported(person: PersonAnalysis) -> bool:
    """True when the person is not standing straight with arms down."""
    lm = person.landmarks
    torso = max(person.torso_length, 1.0)
    if person.torso_angle > LEAN_MAX_DEGREES:
        return True
    # Arms spread sideways or raised above the shoulders.
    if person.visible(LEFT_WRIST) and person.visible(RIGHT_WRIST):
        spread = abs(float(lm[LEFT_WRIST, 0] - lm[RIGHT_WRIST, 0]))
        if spread > ARMS_SPREAD_RATIO * max(person.shoulder_width, 1.0):
            return True
    # An arm is raised when its wrist or its elbow is above the shoulder: with
    # the hands above the head the wrists are often out of the frame.
    for shoulder, joints in ((LEFT_SHOULDER, (LEFT_ELBOW, LEFT_WRIST)), (RIGHT_SHOULDER, (RIGHT_ELBOW, RIGHT_WRIST))):
        for joint in joints:
            if person.visible(joint) and lm[joint, 1] < lm[shoulder, 1] - ARM_RAISED_TORSO * torso:
                return True
    if _arms_crossed(person):
        return True
    # Legs: thighs near vertical, knees nearly straight, thighs not foreshortened.
    for hip, knee, ankle in (
        (LEFT_HIP, LEFT_KNEE, LEFT_ANKLE),
        (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE),
    ):
        if not (person.visible(hip) and person.visible(knee)):
            continue
        thigh = lm[knee, :2] - lm[hip, :2]
        if _angle_from(thigh, (0.0, 1.0)) > THIGH_MAX_DEGREES:
            return True
        if float(np.linalg.norm(thigh)) < THIGH_MIN_TORSO * torso:
            return True
        if person.visible(ankle):
            bend = 180.0 - _angle_from(lm[ankle, :2] - lm[knee, :2], tuple(thigh))
            if bend < KNEE_MIN_DEGREES:
                return True
    return False


def _shins_shown(person: PersonAnalysis) -> bool:
    """Both knees seen and the photo going on below them by SHIN_SHOWN_THIGH of a thigh.

    Feet cut off at mid-shin still leave room for trousers and skirts: their
    hems are drawn down to the frame's edge.
    """
    lm = person.landmarks
    for hip, knee in ((LEFT_HIP, LEFT_KNEE), (RIGHT_HIP, RIGHT_KNEE)):
        if not (person.visible(hip) and person.visible(knee)):
            return False
        thigh = float(np.linalg.norm(lm[knee, :2] - lm[hip, :2]))
        if person.height - float(lm[knee, 1]) < SHIN_SHOWN_THIGH * thigh:
            return False
    return True


def good_clothes_types(person: PersonAnalysis) -> list[str]:
    """Clothes types the visible body can wear, in FitRoom's order (upper, lower, full).

    A type qualifies when all of its REQUIRED_LANDMARKS are seen and inside the
    frame; the ankles may instead be cut off, if the shins are shown (_shins_shown).
    """
    ankles = (LEFT_ANKLE, RIGHT_ANKLE)
    shins = _shins_shown(person)
    return [
        kind
        for kind in CLOTHES_TYPES
        if all(person.visible(i) or (i in ankles and shins) for i in REQUIRED_LANDMARKS[kind])
    ]


def _overlay(person: PersonAnalysis):
    """Normalised person box and outline segments between confidently seen landmarks."""
    w, h = person.width, person.height
    x0, y0, x1, y1 = person.box
    box = (x0 / w, y0 / h, x1 / w, y1 / h)
    outline = []
    for a, b in OUTLINE_SEGMENTS:
        if person.visible(a) and person.visible(b):
            (ax, ay), (bx, by) = person.point(a), person.point(b)
            outline.append(((float(ax / w), float(ay / h)), (float(bx / w), float(by / h))))
    return box, outline


def model_check_code(person: PersonAnalysis | None) -> str | None:
    """The FitRoom code for an analysis: 400xxx error, 410xxx warning or None."""
    if person is None:
        return "400001"
    if person.people_count > 1:
        return "400002"
    if person.upright and person.facing in ("back", "side"):
        return "400003"
    size = person.torso_length / person.height
    if size < TOO_SMALL_TORSO:
        return "400004"
    if (
        not person.upright
        or person.core_visibility < UNDETERMINED_CORE_VISIBILITY
        or person.shoulder_width < TURNED_VIEW_RATIO * person.torso_length
        or person.turn > TURNED_VIEW_TURN_DEGREES
        or not good_clothes_types(person)
    ):
        return "410002"
    if _pose_unsupported(person):
        return "410003"
    if size < SLIGHTLY_SMALL_TORSO:
        return "410001"
    return None


def check_model_image(image: Image.Image) -> ModelCheck:
    """FitRoom's "Check Model Image": is the photo usable, and for which clothes.

    Errors (400xxx) give ``is_good`` false and no clothes types; warnings
    (410xxx) keep ``is_good`` true and still list the types.
    """
    # Every rule is a ratio and the overlay is normalised, so the check can
    # work on a small copy: no full-size mask for a 40-megapixel upload.
    return model_check_of(analyse_person(_shrunk(image)))


def model_check_of(person: PersonAnalysis | None) -> ModelCheck:
    """The "Check Model Image" answer for an analysis already made (a try-on's, which its render reuses)."""
    code = model_check_code(person)
    if person is None:
        return ModelCheck(False, code, [], None, [])
    box, outline = _overlay(person)
    if code is not None and code.startswith("400"):
        return ModelCheck(False, code, [], box, outline)
    return ModelCheck(True, code, good_clothes_types(person), box, outline)
