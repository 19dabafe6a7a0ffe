"""Where garments land on a standing, full-body person: hems, sleeve ends and legs at the
body landmarks their measured class asks for, bared skin with the person's own grain.

The person is a licence-clean catalogue photo (tests/fixtures/ATTRIBUTION.md): a man,
frontal, head to feet, in a tee and long trousers. Garments are drawn (tests/engine/drawing.py).
"""

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from tests.engine import drawing
from tryon.engine.composite import _across_map, _down_map
from tryon.engine.person import (
    LEFT_ANKLE,
    LEFT_ELBOW,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    LEFT_WRIST,
    RIGHT_ANKLE,
    RIGHT_ELBOW,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    RIGHT_WRIST,
    analyse_person,
)
from tryon.engine.render import render_tryon_detailed
from tryon.engine.skin import is_skin, lab_of, skin_colour
from tryon.engine.warp import capsule_mask

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SKIN_TONE = (127, 77, 60)  # the fixture's own skin tone, painted on as bare legs
LEATHER = (150, 98, 68)  # a tan leather sleeve that passes the fixture's skin test
LEATHER_CREASE = (179, 140, 119)  # where it catches the light: 15 L lighter, at 0.65 of its chroma
SHADOWED_SKIN = (60, 50, 48)  # too grey for the skin test: the shadowed side of a hairy leg
LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX = 31, 32  # mediapipe Pose: each foot's toes
# Old patterned trousers painted on end this far (share of the torso) above the heel landmarks, inside
# the round kept for the shoes (SHOE_HALF_HEIGHT, 0.06, up and down).
CUFF_ABOVE_HEELS = 0.03
# ... and a flip-flop's strap painted under it reaches this share of the way from the heel landmark to
# the toes', dark as the trousers' median.
FLIP_FLOP_STRAP = 0.5
STRAP_COLOUR = (45, 45, 50)
# Each arm's shoulder, elbow and wrist landmarks, by mediapipe's side (the person's own).
ARMS = {"left": (LEFT_SHOULDER, LEFT_ELBOW, LEFT_WRIST), "right": (RIGHT_SHOULDER, RIGHT_ELBOW, RIGHT_WRIST)}


@pytest.fixture(scope="module")
def person():
    return Image.open(FIXTURES / "person_man_fullbody_trousers.jpg").convert("RGB")


def _lowest(rendering, index: int = 0, roles=("body",)) -> float:
    """The lowest solid point of a placed garment's layers, along the torso axis."""
    body = rendering.body
    alpha = rendering.placed[index].alpha(body.shape, roles)
    return float(np.percentile(_down_map(body)[alpha > 0.5], 99.5))


def _landmark_down(body, side_part: tuple[str, str]) -> float:
    return float(np.dot(body.point(*side_part) - body.origin, body.v))


def _height(body) -> float:
    return max(_landmark_down(body, (side, "ankle")) for side in ("left", "right"))


def test_full_length_trousers_end_at_the_ankles(person):
    rendering = render_tryon_detailed(person, drawing.trousers(), "lower")
    body = rendering.body
    ankles = np.mean([_landmark_down(body, (side, "ankle")) for side in ("left", "right")])
    assert rendering.garments[0].hem == "ankle"
    assert abs(_lowest(rendering) - ankles) < 0.04 * _height(body)


def test_full_length_trousers_rest_on_the_shoes(person):
    """Full-length trousers reach down to the shoes, as the old ones did: each leg's hem at the
    heel landmark's height. Ending a little past the ankle joint, flares stopped short of the
    shoes (0.05 of the torso above the heels on the fixture), bared ankles and scraps of the old
    trousers between."""
    rendering = render_tryon_detailed(person, drawing.trousers(), "lower")
    body = rendering.body
    T = body.torso_length
    solid = rendering.placed[0].alpha(body.shape) > 0.5
    down, across = _down_map(body), _across_map(body)
    for side in ("left", "right"):
        ankle = float(np.dot(body.point(side, "ankle") - body.origin, body.u))
        leg = solid & (np.abs(across - ankle) < 0.06 * T)
        hem = float(np.percentile(down[leg], 99.5))
        heel = _landmark_down(body, (side, "heel"))
        assert hem > heel - 0.02 * T, f"the {side} hem ends {(heel - hem) / T:.2f} of the torso above the heel"


def _one_knee_raised(pose, shin: float):
    """The pose's landmarks with one leg bent as if seated: the knee raised out sideways a little
    above the hip, the ankle ``shin`` torso lengths below it. Returns (landmarks, hip, knee,
    ankle, the outward sign across the image)."""
    T = pose.torso_length
    landmarks = pose.landmarks.copy()
    hip, other_hip = pose.point(LEFT_HIP), pose.point(RIGHT_HIP)
    outward = np.sign(hip[0] - other_hip[0])
    knee = hip + np.array([outward * 0.7 * T, -0.1 * T])
    ankle = knee + np.array([outward * 0.1 * T, shin * T])
    landmarks[LEFT_KNEE, :2], landmarks[LEFT_ANKLE, :2] = knee, ankle
    return landmarks, hip, knee, ankle, outward


def test_trouser_legs_hang_straight_from_legs_crossed_with_their_feet_out_of_the_photo(person):
    """Walking, one knee steps past the other; with the photo cut off at the shins the pose can
    only guess the feet. A warp through both legs' points tore the trousers into a swirl between
    the crossed knees (a woman in jeans cut off at the shins, in the dev set). With no shoe to
    meet, each trouser leg hangs straight down from its hip. Here the fixture's pose gets each knee
    just past the middle, on the other leg's side, and feet it cannot see."""
    pose = analyse_person(person)
    T = pose.torso_length
    landmarks = pose.landmarks.copy()
    middle = (pose.point(LEFT_HIP) + pose.point(RIGHT_HIP)) / 2
    for hip, knee, ankle in ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE), (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE)):
        landmarks[knee, 0] = landmarks[ankle, 0] = middle[0] + np.sign(middle[0] - landmarks[hip, 0]) * 0.04 * T
    for foot in (LEFT_ANKLE, RIGHT_ANKLE, LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX):
        landmarks[foot, 3] = 0.1
    crossed = dataclasses.replace(pose, landmarks=landmarks)
    rendering = render_tryon_detailed(person, drawing.trousers(), "lower", person=crossed)
    body, covered = rendering.body, rendering.coverage() > 0.5
    for side in ("left", "right"):
        hip, knee, ankle = body.limb(side, ("hip", "knee", "ankle"))
        length = float(np.linalg.norm(knee - hip) + np.linalg.norm(ankle - knee))
        below = [hip + body.v * length * t for t in np.linspace(0.3, 0.9, 20)]
        on = np.mean([covered[int(y), int(x)] for x, y in below])
        assert on > 0.95, f"the trousers cover {on:.0%} of the line straight down from the {side} hip"


def test_trouser_legs_follow_a_leg_bent_at_the_hip_and_knee(person):
    """Seated, a thigh runs sideways from the hip to a raised knee and the shin drops from there.
    A warp through a few points along the legs smeared the trouser leg into a Z between them;
    bent legs are wrapped with their trouser legs as tubes. Here the fixture's pose gets one leg
    bent: the knee raised out sideways a little above the hip, the ankle below the knee."""
    pose = analyse_person(person)
    T = pose.torso_length
    landmarks, hip, knee, ankle, _ = _one_knee_raised(pose, 0.9)
    bent = dataclasses.replace(pose, landmarks=landmarks)
    rendering = render_tryon_detailed(person, drawing.trousers(), "lower", person=bent)
    covered = rendering.coverage() > 0.5
    for start, end, stretch in ((hip, knee, (0.35, 0.9)), (knee, ankle, (0.1, 0.8))):
        points = [start + (end - start) * t for t in np.linspace(*stretch, 12)]
        on = np.mean([covered[int(y), int(x)] for x, y in points])
        assert on > 0.9, f"the trouser leg covers {on:.0%} of the bent leg from {start} to {end}"
    # Inside the bend, away from both the thigh and the shin, there is no leg to cover.
    h, w = covered.shape
    inside = np.zeros((h, w), np.uint8)
    cv2.fillPoly(inside, [np.array([hip, knee, ankle], np.int32)], 1)
    away = np.ones((h, w), np.uint8)
    for start, end in ((hip, knee), (knee, ankle)):
        cv2.line(away, tuple(int(v) for v in start), tuple(int(v) for v in end), 0, 1)
    inside &= (cv2.distanceTransform(away, cv2.DIST_L2, 3) > 0.2 * T).astype(np.uint8)
    assert inside.sum() > 0.02 * T * T
    smeared = covered[inside > 0].mean()
    assert smeared < 0.1, f"{smeared:.0%} of the inside of the bend is covered by the trousers"


def test_the_shoe_of_a_raised_leg_stays(person):
    """Seated, a raised leg's shoe lies above the other leg's ankle, inside the band the old
    trousers are cleared from: the boots were wiped to the backdrop. Here the fixture's pose gets
    one leg bent with its foot raised, and a boot is drawn where that foot is."""
    pose = analyse_person(person)
    T = pose.torso_length
    landmarks, hip, knee, ankle, outward = _one_knee_raised(pose, 0.7)
    heel = ankle + np.array([-outward * 0.05 * T, 0.08 * T])
    toes = ankle + np.array([outward * 0.25 * T, 0.1 * T])
    for index, point in ((LEFT_HEEL, heel), (LEFT_FOOT_INDEX, toes)):
        landmarks[index, :2] = point
        landmarks[index, 3] = 1.0
    assert ankle[1] < pose.point(RIGHT_ANKLE)[1], "the test needs the raised foot above the other ankle"
    photo = person.copy()
    boot = [tuple(ankle + [-outward * 0.06 * T, -0.05 * T]), tuple(ankle + [outward * 0.06 * T, -0.05 * T])]
    boot += [tuple(toes + [0, 0.03 * T]), tuple(heel + [0, 0.03 * T])]
    # The person's outline takes in the raised leg (and its boot, below).
    outline = pose.person_mask.copy()
    cv2.polylines(outline, [np.array([hip, knee, ankle], np.int32)], False, 1.0, int(0.15 * T))
    bent = dataclasses.replace(pose, landmarks=landmarks)
    kept = _shoe_kept_under_shorts(photo, bent, outline, boot, (40, 40, 46), 25)
    assert kept > 0.8, f"only {kept:.0%} of the raised foot's boot stayed"


def test_the_shoe_of_a_foot_lifted_in_a_step_stays(person):
    """Stepping back, one heel is lifted: its shoe lies above the other leg's ankle, in the band the
    old trousers are cleared from, with legs too straight to count as bent. A white sneaker's top
    went to the backdrop, a notch over the shoe. Here the fixture's left foot is lifted by 0.15 of
    the torso and a pale shoe drawn round its heel and toes."""
    pose = analyse_person(person)
    T = pose.torso_length
    landmarks = pose.landmarks.copy()
    for index in (LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX):
        landmarks[index, 1] -= 0.15 * T
    heel, toes = landmarks[LEFT_HEEL, :2], landmarks[LEFT_FOOT_INDEX, :2]
    assert heel[1] < pose.point(RIGHT_ANKLE)[1], "the test needs the lifted heel above the other ankle"
    shoe_outline = [
        tuple(heel + [-0.06 * T, -0.04 * T]),
        tuple(heel + [0.06 * T, -0.04 * T]),
        tuple(toes + [0.05 * T, 0.02 * T]),
        tuple(toes + [-0.05 * T, 0.02 * T]),
    ]
    lifted = dataclasses.replace(pose, landmarks=landmarks)
    kept = _shoe_kept_under_shorts(person.copy(), lifted, pose.person_mask.copy(), shoe_outline, (225, 225, 228), 12)
    assert kept > 0.9, f"only {kept:.0%} of the lifted foot's shoe stayed"


def _shoe_kept_under_shorts(photo, pose, outline, shoe_outline, colour, tolerance: int) -> float:
    """The share of a shoe drawn in ``colour`` over ``shoe_outline`` on ``photo`` (and taken into the
    person's ``outline``) that stays, within ``tolerance``, under new shorts."""
    ImageDraw.Draw(photo).polygon(shoe_outline, fill=colour)
    cv2.fillPoly(outline, [np.array(shoe_outline, np.int32)], 1.0)
    rendering = render_tryon_detailed(
        photo, drawing.shorts(), "lower", person=dataclasses.replace(pose, person_mask=outline)
    )
    shoe = np.zeros(rendering.body.shape, np.uint8)
    cv2.fillPoly(shoe, [np.array(shoe_outline, np.int32)], 1)
    shoe = cv2.erode(shoe, np.ones((5, 5), np.uint8)) > 0
    out = np.asarray(rendering.image).astype(int)
    return float((np.abs(out[shoe] - np.array(colour)).max(axis=1) < tolerance).mean())


def test_shorts_with_a_long_rise_keep_their_hems_level(person):
    """Shorts whose flat lay puts the crotch low (a long rise over short legs, as product photos of
    denim shorts do) are not folded at the crotch: each leg's hem runs level across its thigh,
    without the notch the fold cut into it (0.08 of the torso before, 0.04 now)."""
    rendering = render_tryon_detailed(person, drawing.shorts(crotch=0.6), "lower")
    body = rendering.body
    solid = rendering.placed[0].alpha(body.shape) > 0.5
    down, across = _down_map(body), _across_map(body)
    T = body.torso_length
    for side in ("left", "right"):
        middle = float(np.dot(body.point(side, "hip") - body.origin, body.u))
        lowest = []
        for at in np.linspace(middle - 0.1 * T, middle + 0.1 * T, 21):
            column = solid & (np.abs(across - at) < 0.5)
            if column.any():
                lowest.append(down[column].max())
        assert (max(lowest) - min(lowest)) / T < 0.06, f"the {side} hem is notched"


def test_shorts_laid_with_their_legs_touching_part_between_the_thighs(person):
    """Shorts whose legs touch in their photo are worn on two legs, not as a skirt across both
    thighs with a slit up its middle: a little above the hems the backdrop shows between the
    thighs across 0.30 of the middle 0.3 torso lengths (0.05 as a skirt)."""
    rendering = render_tryon_detailed(person, drawing.shorts(touching=0.6), "lower")
    body, placed = rendering.body, rendering.placed[0]
    assert placed.legs
    solid = placed.alpha(body.shape) > 0.5
    down, across = _down_map(body), _across_map(body)
    T = body.torso_length
    row = np.abs(down - (placed.hem_down - 0.08 * T)) < 0.5
    middle = float(np.dot(body.hip_centre - body.origin, body.u))
    assert 1.0 - solid[row & (np.abs(across - middle) < 0.15 * T)].mean() > 0.2, "no backdrop between the thighs"


def test_shorts_end_above_the_knees_and_a_crop_top_above_the_navel(person):
    shorts = render_tryon_detailed(person, drawing.shorts(), "lower")
    body = shorts.body
    knees = np.mean([_landmark_down(body, (side, "knee")) for side in ("left", "right")])
    hips = np.mean([_landmark_down(body, (side, "hip")) for side in ("left", "right")])
    assert hips < _lowest(shorts) < knees

    crop = render_tryon_detailed(person, drawing.crop_top(), "upper")
    tee = render_tryon_detailed(person, drawing.tee(), "upper")
    assert crop.garments[0].hem == "crop" and tee.garments[0].hem == "hip"
    T = body.torso_length
    assert _lowest(crop) < 0.72 * T  # above the navel
    assert _lowest(tee) > 0.95 * T  # a regular tee reaches the hips


def test_long_sleeves_reach_the_wrists(person):
    rendering = render_tryon_detailed(person, drawing.blouse(), "upper")
    body = rendering.body
    assert rendering.garments[0].sleeve == "long"
    for side in ("left", "right"):
        assert rendering.placed[0].sleeve_targets[side] > 0
    h, w = body.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    for side in ("left", "right"):
        top = body.shoulder_top(side)
        wrist = body.point(side, "wrist")
        direction = (wrist - top) / np.linalg.norm(wrist - top)
        alpha = np.zeros((h, w), np.float32)
        for layer in rendering.placed[0].layers:
            x0, y0, x1, y1 = layer.box
            if layer.role == "sleeve" and (((x0 + x1) / 2 < body.origin[0]) == (side == "left")):
                np.maximum(alpha[y0:y1, x0:x1], layer.rgba[..., 3], out=alpha[y0:y1, x0:x1])
        along = (xs - top[0]) * direction[0] + (ys - top[1]) * direction[1]
        reach = float(np.percentile(along[alpha > 0.5], 99.5))
        assert abs(reach - np.linalg.norm(wrist - top)) < 0.04 * _height(body)


def test_a_top_worn_over_trousers_reaches_past_their_waistband(person):
    rendering = render_tryon_detailed(person, drawing.crop_top(), "upper")
    combo = render_tryon_detailed(person, drawing.tee(), "combo", lower_cloth_image=drawing.trousers())
    lower, upper = combo.placed
    assert lower.kind == "lower" and upper.kind == "upper"
    assert _lowest(combo, index=1) > lower.top_down
    # A crop top on its own stays short: the rule is only for tops worn over a lower garment.
    assert _lowest(rendering) < lower.top_down


def _grain(grey: np.ndarray, where: np.ndarray) -> float:
    detail = grey - cv2.GaussianBlur(grey, (0, 0), 2.0)
    mean = cv2.blur(detail, (5, 5))
    local = np.sqrt(np.maximum(cv2.blur(detail * detail, (5, 5)) - mean * mean, 0.0))
    return float(np.median(local[where]))


def test_skin_bared_by_a_sleeveless_top_has_the_persons_own_grain(person):
    """The tee's sleeves give way to arms: filled skin is not a flat patch."""
    rendering = render_tryon_detailed(person, drawing.sleeveless_vest(), "upper")
    before = np.asarray(person.convert("RGB"))
    after = np.asarray(rendering.image)
    assert before.shape == after.shape
    covered = rendering.coverage()
    changed = np.abs(after.astype(int) - before.astype(int)).max(axis=2) > 12
    ycrcb = cv2.cvtColor(after, cv2.COLOR_RGB2YCrCb)
    skin_like = (ycrcb[..., 1] >= 135) & (ycrcb[..., 1] <= 180) & (ycrcb[..., 2] >= 80) & (ycrcb[..., 2] <= 135)
    filled = cv2.erode((changed & (covered < 0.05) & skin_like).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    real = cv2.erode((~changed & skin_like & (rendering.body.mask > 0.5)).astype(np.uint8), np.ones((7, 7))) > 0
    assert filled.sum() > 500, "the tee's sleeves should have been replaced by bare arms"
    grey_after = cv2.cvtColor(after, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey_before = cv2.cvtColor(before, cv2.COLOR_RGB2GRAY).astype(np.float32)
    assert _grain(grey_after, filled) >= 0.5 * _grain(grey_before, real)


def _filled_by_skin(before: np.ndarray, rendering) -> np.ndarray:
    """Pixels the render changed that no garment covers: where old clothes gave way to skin or backdrop."""
    covered = rendering.coverage()
    after = np.asarray(rendering.image)
    changed = np.abs(after.astype(int) - before.astype(int)).max(axis=2) > 12
    return cv2.erode((changed & (covered < 0.05)).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0


def test_a_bared_upper_arm_is_lit_like_the_forearm_below_it(person):
    """The tee's short sleeves give way to upper arms with the forearms' own tone and light, not the face's."""
    before = np.asarray(person.convert("RGB"))
    rendering = render_tryon_detailed(person, drawing.sleeveless_vest(), "upper")
    body = rendering.body
    after_lab = cv2.cvtColor(np.asarray(rendering.image).astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    before_lab = cv2.cvtColor(before.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)
    filled = _filled_by_skin(before, rendering)
    ycrcb = cv2.cvtColor(np.asarray(rendering.image), cv2.COLOR_RGB2YCrCb)
    skin_like = (ycrcb[..., 1] >= 135) & (ycrcb[..., 1] <= 180) & (ycrcb[..., 2] >= 80) & (ycrcb[..., 2] <= 135)
    skin_like &= ycrcb[..., 0] < 200
    h, w = body.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    S = body.shoulder_width
    checked = 0
    for side in ("left", "right"):
        shoulder, elbow, wrist = body.limb(side, ("shoulder", "elbow", "wrist"))

        def across(start, end):
            direction = (end - start) / np.linalg.norm(end - start)
            along = ((xs - start[0]) * direction[0] + (ys - start[1]) * direction[1]) / np.linalg.norm(end - start)
            off = (xs - start[0]) * -direction[1] + (ys - start[1]) * direction[0]
            return along, off

        along, off = across(shoulder, elbow)
        # Filled skin on the upper arm (beside it, the old sleeve's width gave way to the white backdrop).
        upper = filled & skin_like & (along > 0.3) & (along < 0.8) & (np.abs(off) < 0.15 * S)
        along_fore, off_fore = across(elbow, wrist)
        forearm = (~filled) & (along_fore > 0.2) & (along_fore < 0.7) & (np.abs(off_fore) < 0.05 * S)
        forearm &= body.mask > 0.5
        if upper.sum() < 200 or forearm.sum() < 100:
            continue
        checked += 1
        # Along the middle of the bared arm, where the light is as on the forearm's middle.
        real = np.median(before_lab[forearm], axis=0)
        upper &= after_lab[..., 0] < real[0] + 15  # not the outline's blend with the white backdrop
        centre = np.median(off[upper])
        reach = np.percentile(np.abs(off[upper] - centre), 90)
        middle = upper & (np.abs(off - centre) < reach / 3)
        bared = np.median(after_lab[middle], axis=0)
        assert np.linalg.norm(bared - real) < 10, f"{side} upper arm {bared} vs its forearm {real}"
    assert checked, "neither upper arm was bared next to a visible forearm"


def test_an_old_floor_length_hem_goes_down_to_the_shoes_under_shorts():
    """A maxi dress reaches past the ankle joints to the shoes: under new shorts all of it goes.

    The leggings photo is given a dark floor-length hem, drawn from above the ankles to the
    heels; the shoes below it are never old clothes and stay.
    """
    person = Image.open(FIXTURES / "person_woman_fullbody_leggings.jpg").convert("RGB")
    pose = analyse_person(person)
    ankles = [pose.point(LEFT_ANKLE), pose.point(RIGHT_ANKLE)]
    heels = [pose.landmarks[i, :2] for i in (LEFT_HEEL, RIGHT_HEEL)]
    T = pose.torso_length
    x0, x1 = min(a[0] for a in ankles) - 0.12 * T, max(a[0] for a in ankles) + 0.12 * T
    y0, y1 = min(a[1] for a in ankles) - 0.1 * T, max(h[1] for h in heels)
    ImageDraw.Draw(person).polygon([(x0 + 10, y0), (x1 - 10, y0), (x1, y1), (x0, y1)], fill=(22, 22, 26))
    r = int(0.04 * T)
    toes = [pose.landmarks[i, :2].astype(int) for i in (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)]
    shoes = [np.asarray(person)[y - r : y + r, x - r : x + r].astype(int) for x, y in toes]

    rendering = render_tryon_detailed(person, drawing.shorts(), "lower")
    out = np.asarray(rendering.image).astype(int)
    above_shoes = int(min(h[1] for h in heels) - 0.06 * T)
    band = out[int(y0) : above_shoes, int(x0) : int(x1)]
    assert (band.max(axis=2) < 60).mean() < 0.15, "the old hem still shows around the ankles"
    for (x, y), shoe in zip(toes, shoes, strict=True):
        assert np.abs(out[y - r : y + r, x - r : x + r] - shoe).mean() < 3, "a shoe changed"


def _width_across(region: np.ndarray, start: np.ndarray, end: np.ndarray, t: float, reach: float) -> int:
    """How many pixels of ``region`` the line across the bone start→end crosses, at ``t`` along it."""
    direction = (end - start) / np.linalg.norm(end - start)
    normal = np.array([-direction[1], direction[0]])
    steps = np.arange(-reach, reach, 1.0)
    points = np.round((start + (end - start) * t)[None, :] + normal[None, :] * steps[:, None]).astype(int)
    return int(region[points[:, 1], points[:, 0]].sum())


def test_bared_shins_taper_towards_the_ankles(person):
    """Legs bared by new shorts under loose trousers swell below the knee and narrow to the ankle,
    not two straight tubes; and they are as wide as a calf is (about a fifth of the torso's length
    across), not the two thirds of that they were drawn at, like sticks."""
    rendering = render_tryon_detailed(person, drawing.shorts(), "lower")
    body = rendering.body
    out = np.asarray(rendering.image).astype(int)
    leg = (out.min(axis=2) < 225) & (body.mask > 0.3)  # the person, not the white backdrop
    shins = {side: (body.point(side, "knee"), body.point(side, "ankle")) for side in ("left", "right")}

    def gap(t: float) -> float:  # between the two shins: the line across one must not reach the other
        (kl, al), (kr, ar) = shins["left"], shins["right"]
        return float(np.linalg.norm((kl + (al - kl) * t) - (kr + (ar - kr) * t)))

    for side, (knee, ankle) in shins.items():
        calf, low = (
            _width_across(leg, knee, ankle, t, min(0.15 * body.torso_length, 0.48 * gap(t))) for t in (0.3, 0.85)
        )
        assert low < 0.85 * calf, f"the {side} shin is as wide above the ankle ({low}) as at the calf ({calf})"
        assert calf > 0.19 * body.torso_length, f"the {side} calf is {calf / body.torso_length:.2f} T across"


def _legs_shown_bare(person, up: float, outwards: float, halves: tuple[float, float]):
    """The fixture with its legs bare (painted skin) from ``up`` of the way from the knees to the
    hips (below the knees if negative) down to above the ankles, backdrop beside them. Each leg's
    middle sits ``outwards`` torso lengths outwards of the pose's points (inwards if negative),
    its half width ``halves`` at the top and at the bottom. Returns the photo, the pose with that
    outline, each leg's outline (top left, top right, bottom right, bottom left) and which way
    is outwards."""
    pose = analyse_person(person)
    T = pose.torso_length
    tops = [pose.point(knee) + (pose.point(knee - 2) - pose.point(knee)) * up for knee in (LEFT_KNEE, RIGHT_KNEE)]
    top_y = float(np.mean([top[1] for top in tops]))
    legs = []
    for knee, top in zip((LEFT_KNEE, RIGHT_KNEE), tops, strict=True):
        outward = float(np.sign(pose.point(knee)[0] - pose.point(LEFT_KNEE + RIGHT_KNEE - knee)[0]))
        middle = np.array([outward * outwards * T, 0.0])
        top = np.array([top[0], top_y]) + middle
        bottom = pose.point(knee + 2) + middle - [0, 0.15 * T]
        shape = np.array(
            [
                top - [halves[0] * T, 0],
                top + [halves[0] * T, 0],
                bottom + [halves[1] * T, 0],
                bottom - [halves[1] * T, 0],
            ]
        )
        legs.append((shape, outward))
    shown = np.zeros(pose.person_mask.shape, np.uint8)
    cv2.fillPoly(shown, [shape.astype(np.int32) for shape, _ in legs], 1)
    below = np.broadcast_to(np.arange(shown.shape[0])[:, None] >= top_y, shown.shape)
    pixels = np.asarray(person).copy()
    pixels[below & (shown == 0) & (pose.person_mask > 0.3)] = drawing.BACKDROP
    pixels[shown > 0] = SKIN_TONE
    outline = pose.person_mask.copy()
    outline[below] = shown[below]
    return Image.fromarray(pixels), dataclasses.replace(pose, person_mask=outline), legs


def test_a_leg_the_photo_shows_bare_keeps_its_own_outline(person):
    """Below the knees the photo's legs are bare, wider than the pose's guess and off its knee and
    ankle points: under a new mini skirt, the real calves' outer sides were wiped to the backdrop,
    leaving thinner legs with a blurred edge."""
    photo, painted, legs = _legs_shown_bare(person, -0.1, 0.03, (0.13, 0.1))
    rendering = render_tryon_detailed(photo, drawing.mini_skirt(), "lower", person=painted)
    out = np.asarray(rendering.image).astype(int)
    for calf, _ in legs:
        inside = np.zeros(out.shape[:2], np.uint8)
        cv2.fillPoly(inside, [calf.astype(np.int32)], 1)
        inside = cv2.erode(inside, np.ones((5, 5), np.uint8)) > 0
        kept = (np.abs(out[inside] - SKIN_TONE).max(axis=1) < 12).mean()
        assert kept > 0.97, f"only {kept:.0%} of a bare calf stayed"


def test_a_thigh_bared_above_a_real_one_goes_on_from_its_outline(person):
    """The photo's thighs are bare from a third of the way up to the hips (below an old skirt),
    narrower than the pose's guess and inwards of its points. The new mini skirt bares the rest:
    drawn round the pose's points, it met the real thighs with a step at each outer side."""
    photo, painted, legs = _legs_shown_bare(person, 0.35, -0.03, (0.09, 0.08))
    rendering = render_tryon_detailed(photo, drawing.mini_skirt(), "lower", person=painted)
    out = np.asarray(rendering.image).astype(int)
    T = rendering.body.torso_length
    skin = np.abs(out - SKIN_TONE).max(axis=2) < 40
    for shape, outward in legs:
        real_edge = shape[1][0] if outward > 0 else shape[0][0]
        for above in (3, 6):
            row = np.nonzero(skin[int(shape[0][1]) - above])[0]
            row = row[np.abs(row - real_edge) < 0.15 * T]
            edge = row.max() if outward > 0 else row.min()
            assert abs(edge - real_edge) < 0.012 * T, (
                f"the bared thigh steps {abs(edge - real_edge)} px off the real one"
            )


def test_a_sleeve_falls_from_the_shoulder_instead_of_standing_off_it(person):
    """Near the top of the shoulder a sleeve lies on the deltoid's curve: drawn as wide as its
    flat armhole from the start, it stood off the shoulder as a square tab."""
    for make in (drawing.tee, drawing.crop_top):
        rendering = render_tryon_detailed(person, make(), "upper")
        body = rendering.body
        S = body.shoulder_width
        sleeves = rendering.placed[0].alpha(body.shape, ("sleeve_root", "sleeve")) > 0.5
        off_the_person = cv2.distanceTransform((body.mask < 0.5).astype(np.uint8), cv2.DIST_L2, 5)
        rows = np.arange(body.shape[0])[:, None]
        for side in ("left", "right"):
            top, elbow = body.shoulder_top(side), body.point(side, "elbow")
            cap = (rows >= top[1]) & (rows <= top[1] + 0.3 * (elbow[1] - top[1]))
            assert (sleeves & cap).sum() > 0.05 * S**2  # the sleeve is there...
            # ... and hardly a pixel of it stands more than 2.5% of the shoulders' width off them.
            assert (sleeves & cap & (off_the_person > 0.025 * S)).sum() < 30, (make.__name__, side)


def test_a_short_sleeve_follows_the_arm_in_below_the_deltoid():
    """Below the deltoid's widest the upper arm narrows, and a worn tee's sleeve follows it in:
    held at the deltoid's reach down to its hem, it stood off the arm as a puff (the leggings
    photo's: 0.032 of the shoulders' width off the outline)."""
    person = Image.open(FIXTURES / "person_woman_fullbody_leggings.jpg").convert("RGB")
    rendering = render_tryon_detailed(person, drawing.tee(), "upper")
    body = rendering.body
    S = body.shoulder_width
    sleeves = rendering.placed[0].alpha(body.shape, ("sleeve_root", "sleeve")) > 0.5
    off_the_person = cv2.distanceTransform((body.mask < 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    rows, columns = np.arange(body.shape[0])[:, None], np.arange(body.shape[1])[None, :]
    for side, outward in (("left", 1), ("right", -1)):
        top, elbow = body.shoulder_top(side), body.point(side, "elbow")
        lower_sleeve = sleeves & (rows >= top[1] + 0.25 * (elbow[1] - top[1])) & (outward * (columns - top[0]) > 0)
        assert lower_sleeve.sum() > 0.01 * S**2  # the sleeve is there...
        # ... and none of it stands more than 2.6% of the shoulders' width off the arm.
        assert off_the_person[lower_sleeve].max() < 0.026 * S, (side, off_the_person[lower_sleeve].max() / S)


def test_a_sleeve_cap_rounds_over_square_old_shoulders():
    """Where the old top's shoulders were square (a boxy jacket's, or hair lying on them), a tee's
    sleeve cut square across the top of the shoulder and filled up to that outline stood up as a
    square corner. Its cap rounds over the deltoid; the old shoulders' corner beyond it goes to
    the backdrop (half of it was the new tee before, a sixth now)."""
    person = Image.open(FIXTURES / "person_man_upper_tee.jpg").convert("RGB")
    body = render_tryon_detailed(person, drawing.tee(), "upper").body
    S, scale = body.shoulder_width, person.width / body.shape[1]
    boxy = person.copy()
    draw = ImageDraw.Draw(boxy)
    for side in ("left", "right"):
        top = body.shoulder_top(side)
        out = top[0] + (-body.u if side == "left" else body.u)[0] / abs(body.u[0]) * 0.2 * S
        box = [min(top[0], out), top[1] - 0.03 * S, max(top[0], out), top[1] + 0.3 * S]
        draw.rectangle([v * scale for v in box], fill=(12, 12, 12))
    rendering = render_tryon_detailed(boxy, drawing.tee(), "upper")
    body = rendering.body
    S = body.shoulder_width
    covered = rendering.coverage() > 0.5
    rows, columns = np.mgrid[0 : body.shape[0], 0 : body.shape[1]]
    judged = 0
    for side in ("left", "right"):
        top = body.shoulder_top(side)
        outward = -body.u if side == "left" else body.u
        offset = np.stack([columns - top[0], rows - top[1]], axis=-1)
        out, down = offset @ outward, offset @ body.v
        corner = (out > 0.1 * S) & (out < 0.18 * S) & (np.abs(down) < 0.02 * S)
        if (body.mask[corner] > 0.5).mean() < 0.3:
            continue  # the segmentation left this painted shoulder out of the person
        judged += 1
        assert covered[corner].mean() < 0.3, (side, covered[corner].mean())
    assert judged


def test_a_long_sleeve_narrows_from_the_shoulder_to_the_forearm(person):
    """A sleeve hangs over the deltoid, then follows the arm: held at the shoulder's width all the
    way down, a long sleeve stood off the forearm like a board (0.1 of the shoulders' width)."""
    rendering = render_tryon_detailed(person, drawing.long_sleeve_tee(), "upper")
    body = rendering.body
    S = body.shoulder_width
    for side in ("left", "right"):
        area, off = _sleeve_off_the_forearm(rendering, body.mask, side, 0.0, 0.8)
        assert area > 0.05 * S**2
        assert np.percentile(off, 95) < 0.03 and off.max() < 0.07, (side, np.percentile(off, 95), off.max())


def _sleeve_off_the_forearm(rendering, person_mask: np.ndarray, side: str, start: float, end: float):
    """The new sleeve over one forearm, between ``start`` and ``end`` of the way down from the
    elbow to the wrist: its area (pixels) and each of its pixels' distance off ``person_mask``
    (the person as a photo shows them), in shoulder widths."""
    body = rendering.body
    sleeves = rendering.placed[0].alpha(body.shape, ("sleeve",)) > 0.5
    off_the_person = cv2.distanceTransform((person_mask < 0.5).astype(np.uint8), cv2.DIST_L2, 5)
    rows = np.arange(body.shape[0])[:, None]
    elbow, wrist = body.point(side, "elbow"), body.point(side, "wrist")
    reach = wrist[1] - elbow[1]
    forearm = sleeves & (rows >= elbow[1] + start * reach) & (rows <= elbow[1] + end * reach)
    return int(forearm.sum()), off_the_person[forearm] / body.shoulder_width


def test_a_hanging_short_sleeves_cuff_lies_square_across_the_arm(person):
    """A tee shot on an invisible mannequin hangs its sleeves straight down, and the part of a
    sleeve furthest from its armhole is its hem's outer corner. Aimed at that corner, the sleeve
    was worn askew: its cuff band slanted 13-16 degrees off square to the arm, a flaring point."""
    rendering = render_tryon_detailed(person, drawing.worn_tee_with_cuffs(), "upper")
    body = rendering.body
    assert rendering.garments[0].sleeve == "short"
    for side in ("left", "right"):
        colour = np.zeros(body.shape + (3,), np.float32)
        alpha = np.zeros(body.shape, np.float32)
        for layer in rendering.placed[0].layers:
            x0, y0, x1, y1 = layer.box
            if layer.role in ("sleeve_root", "sleeve") and ((x0 + x1) / 2 < body.origin[0]) == (side == "left"):
                over = layer.rgba[..., 3] > alpha[y0:y1, x0:x1]
                colour[y0:y1, x0:x1][over] = layer.rgba[..., :3][over]
                alpha[y0:y1, x0:x1][over] = layer.rgba[..., 3][over]
        ys, xs = np.nonzero((alpha > 0.5) & (colour.mean(axis=2) < 0.35))
        assert len(xs) > 500, side  # the cuff is worn...
        points = np.stack([xs, ys], axis=1).astype(float)
        points -= points.mean(axis=0)
        band = np.linalg.eigh(points.T @ points)[1][:, 1]
        top, elbow = body.shoulder_top(side), body.point(side, "elbow")
        arm = (elbow - top) / np.linalg.norm(elbow - top)
        # ... and runs across the arm, within 8 degrees of square to it.
        assert np.degrees(np.arcsin(abs(float(band @ arm)))) < 8, side


@pytest.mark.parametrize("make", [drawing.sleeveless_vest, drawing.tee, drawing.fitted_cap_sleeve_top])
def test_a_tops_shoulders_lie_on_the_persons_shoulders(person, make):
    """A flat lay's shoulder corners are warped with the body panel; where their slope differs
    from the person's they stood up off the shoulders as square ears (the sleeveless vest's
    reached 0.08 of the shoulder width out of the person's outline)."""
    rendering = render_tryon_detailed(person, make(), "upper")
    body = rendering.body
    S, T = body.shoulder_width, body.torso_length
    down = _down_map(body)
    ys, xs = np.mgrid[0 : body.shape[0], 0 : body.shape[1]]
    across = (xs - body.origin[0]) * body.u[0] + (ys - body.origin[1]) * body.u[1]
    shoulders = (down < 0.1 * T) & (np.abs(across) > 0.2 * S) & (rendering.coverage() > 0.5)
    assert shoulders.sum() > 0.02 * S * S
    off_the_person = cv2.distanceTransform((body.mask <= 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    assert off_the_person[shoulders].max() < 0.04 * S, off_the_person[shoulders].max() / S


def test_a_new_bottom_covers_the_old_waistband_above_its_own(person):
    """Old trousers with a high waistband under a tucked-in top: a new bottom with a lower rise
    left a band of the old trousers showing between the top and itself."""
    photo = person.copy()
    body = analyse_person(photo)
    T = body.torso_length
    hips = (body.point(LEFT_HIP) + body.point(RIGHT_HIP)) / 2
    half = 0.9 * float(np.linalg.norm(body.point(LEFT_HIP) - body.point(RIGHT_HIP)))
    band_top, band_bottom = hips[1] - 0.45 * T, hips[1] - 0.1 * T
    ImageDraw.Draw(photo).rectangle([hips[0] - half, band_top, hips[0] + half, band_bottom], fill=(20, 20, 24))
    rendering = render_tryon_detailed(photo, drawing.shorts(), "lower")
    out = np.asarray(rendering.image).astype(int)
    x0, x1 = int(hips[0] - 0.5 * half), int(hips[0] + 0.5 * half)
    band = out[int(band_top + 0.03 * T) : int(band_bottom), x0:x1]
    assert (band.max(axis=2) < 50).mean() < 0.05, "the old waistband shows above the new shorts"


def _tucked_in(person, top=None):
    """The fixture with its tee tucked into dark trousers whose waistband is 0.12 of the torso above
    the hips (the tee, worn loose, would hang over a new waistband); ``top`` paints the tee above
    it. Returns the photo and that waistband's row."""
    photo = person.copy()
    pose = analyse_person(photo)
    T = pose.torso_length
    hips = (pose.point(LEFT_HIP) + pose.point(RIGHT_HIP)) / 2
    half = 0.9 * float(np.linalg.norm(pose.point(LEFT_HIP) - pose.point(RIGHT_HIP)))
    waistband = hips[1] - 0.12 * T
    if top is not None:
        top(photo, pose, waistband)
    # Down over where the tee hung, to the old trousers' own navy.
    ImageDraw.Draw(photo).rectangle([hips[0] - half, waistband, hips[0] + half, hips[1] + 0.1 * T], fill=(25, 25, 45))
    return photo, waistband


def test_a_new_bottom_sits_on_the_old_waistband_below_its_rise(person):
    """Shorts whose flat rise puts their waistband high (as it does every dev bottom with legs: 0.28
    of the torso above the hips, the highest allowed) sat well above the old trousers' waistband,
    over the old top, and cut it off: knee shorts over an open bomber's hem and cuffs. On the
    person's own waistline, they sit just over the old waistband."""
    photo, waistband = _tucked_in(person)
    rendering = render_tryon_detailed(photo, drawing.shorts(), "lower")
    body = rendering.body
    scale = body.shape[0] / photo.height
    above = (waistband * scale - _centre_row(body, rendering.placed[0].top_down)) / body.torso_length
    # 0.16 of the torso above it before.
    assert 0.0 < above <= 0.05, f"the new waistband is {above:.2f} of the torso above the old one"


def _heathered(photo, pose, waistband):
    """The tee, down to ``waistband``, as a heathered grey knit: speckled too much to read as
    plain (a lightness spread of about 16, the dev bomber's grey tee 15-16)."""
    pixels = np.asarray(photo).copy()
    rows = np.arange(pixels.shape[0])[:, None]
    tee = _greenish(pixels.astype(int)) & (rows < waistband)
    speckle = np.random.default_rng(3).normal(110, 40, tee.sum()).clip(0, 255)
    pixels[tee] = speckle[:, None].astype(np.uint8)
    photo.paste(Image.fromarray(pixels))


def test_a_new_bottom_finds_the_old_waistband_under_a_heathered_top(person):
    """The old trousers' waistband is found where the old top's plain colour ends; a heathered grey
    tee (and an open jacket's panels, crossed arms) is not plain, and the new bottom knew nothing of
    it: knee shorts on a man in an open bomber over a heathered tee sat at their rise's highest,
    over the jacket's hem and cuffs, cut off level with them. Read up from the hips through the old
    trousers' own plain colour, it is found."""
    photo, waistband = _tucked_in(person, _heathered)
    rendering = render_tryon_detailed(photo, drawing.shorts(), "lower")
    body = rendering.body
    scale = body.shape[0] / photo.height
    above = (waistband * scale - _centre_row(body, rendering.placed[0].top_down)) / body.torso_length
    # 0.17 of the torso above it before.
    assert 0.0 < above <= 0.05, f"the new waistband is {above:.2f} of the torso above the old one"


SWEATSHIRT = (40, 75, 125)  # a dark blue old top: a pale line beside it shows


def _sweatshirt(photo, pose, waistband):
    """The tee, down to ``waistband``, as a plain dark blue sweatshirt."""
    pixels = np.asarray(photo).copy()
    rows = np.arange(pixels.shape[0])[:, None]
    pixels[_greenish(pixels.astype(int)) & (rows < waistband)] = SWEATSHIRT
    photo.paste(Image.fromarray(pixels))


def test_no_pale_line_between_an_old_top_and_a_new_waistband_over_its_hem(person):
    """The new waistband sits just over the old one, across the old top's hem. Its drawn top edge is
    soft: the strip of the hem under it went to the backdrop, which bled through that edge and over
    the hem above, a pale line between the two (the bench's pink skort under a blue sweatshirt)."""
    photo, _ = _tucked_in(person, _sweatshirt)
    rendering = render_tryon_detailed(photo, drawing.trousers(), "lower")
    body = rendering.body
    out = lab_of(np.asarray(rendering.image))[..., 0]
    x = int(body.origin[0])
    columns = slice(x - int(0.2 * body.shoulder_width), x + int(0.2 * body.shoulder_width))
    solid = np.nonzero((rendering.coverage()[:, columns] > 0.5).all(axis=1))[0]
    top = int(solid[solid > body.origin[1]].min())
    hem = np.median(out[top - 12 : top + 1, columns], axis=1)
    sweatshirt = float(np.median(out[top - 30 : top - 20, columns]))
    # L 59 against the sweatshirt's 32 before.
    assert hem.max() < sweatshirt + 5, f"a pale line (L {hem.max():.0f}) above the new waistband"


def test_a_small_garment_photos_soft_edge_is_drawn_in_its_own_colour(person):
    """The cut-out's soft edge mixes the garment's colour with its backdrop's, and only the pixels
    nearest its solid core took the colour from inside. On a small product photo (the dev wrap skort
    is 300 px) its faint outer edge, blown up on the body, kept the backdrop's white: a pale rim
    round the skort, and a pale line between it and the old sweatshirt above it."""
    skirt = drawing.mini_skirt(colour=(200, 40, 110), print_colour=(200, 40, 110), size=(300, 300))
    rendering = render_tryon_detailed(person, skirt.filter(ImageFilter.GaussianBlur(1.0)), "lower")
    rims = []
    for layer in rendering.placed[0].layers:
        alpha = layer.rgba[..., 3]
        rims.append(layer.rgba[..., :3][(alpha > 0.05) & (alpha < 0.5)] * 255)
    rim = np.concatenate(rims)
    assert len(rim) > 500
    # The skirt's green is 40; the backdrop's 246. 65% of the rim was paler than 120 before.
    pale = (rim[:, 1] > 120).mean()
    assert pale < 0.05, f"{pale:.0%} of the skirt's soft edge is pale"


def test_a_long_sleeve_covers_the_whole_shoulder(person):
    """Drawn as narrow as its armhole at the top, a sleeve left the deltoid bare beside the torso
    panel: a notch of skin at each shoulder."""
    rendering = render_tryon_detailed(person, drawing.blouse(), "upper")
    body = rendering.body
    garment = rendering.placed[0].alpha(body.shape) > 0.5
    rows, columns = np.mgrid[0 : body.shape[0], 0 : body.shape[1]]
    for side in ("left", "right"):
        top, elbow = body.shoulder_top(side), body.point(side, "elbow")
        outward = 1 if (top[0] - body.origin[0]) > 0 else -1
        cap = (rows >= top[1] + 0.05 * (elbow[1] - top[1])) & (rows <= top[1] + 0.35 * (elbow[1] - top[1]))
        deltoid = cap & (outward * (columns - top[0]) > 0) & (body.mask > 0.5)
        assert deltoid.sum() > 50
        bare = (deltoid & ~garment).sum() / deltoid.sum()
        assert bare < 0.1, f"{bare:.0%} of the {side} shoulder is bare beside the sleeve"


def test_a_hem_casts_a_soft_shadow_on_the_skin_below_it(person):
    """A crop top's hem over a bared midriff, with the skin just as light right up to it,
    read as pasted on; a garment lying on the body shades the skin just below its edge."""
    rendering = render_tryon_detailed(person, drawing.crop_top(), "upper")
    body = rendering.body
    T, S = body.torso_length, body.shoulder_width
    garment = rendering.placed[0].alpha(body.shape) > 0.5
    grey = cv2.cvtColor(np.asarray(rendering.image), cv2.COLOR_RGB2GRAY).astype(float)
    near, far = [], []
    for x in range(int(body.origin[0] - 0.15 * S), int(body.origin[0] + 0.15 * S)):
        rows = np.nonzero(garment[:, x])[0]
        hem = int(rows.max())
        near.append(grey[hem + 2 : hem + max(4, int(0.012 * T)), x].mean())
        far.append(grey[hem + int(0.04 * T) : hem + int(0.06 * T), x].mean())
    assert np.mean(far) - np.mean(near) > 4, f"just below the hem {np.mean(near):.0f}, further down {np.mean(far):.0f}"


def test_a_bare_arms_outline_against_the_backdrop_is_left_alone(person):
    """The outline pixels of a bare forearm, lightened by the backdrop, passed for neither skin
    nor cloth and were repainted as backdrop: a blurred halo down the arm's side."""
    rendering = render_tryon_detailed(person, drawing.sleeveless_vest(), "upper")
    body = rendering.body
    photo = np.asarray(person.resize(rendering.image.size)).astype(int)
    out = np.asarray(rendering.image).astype(int)
    repainted = []
    for side in ("left", "right"):
        elbow, wrist = body.point(side, "elbow"), body.point(side, "wrist")
        outward = 1 if elbow[0] > body.origin[0] else -1
        for t in (0.3, 0.5, 0.7):
            x, y = (elbow + (wrist - elbow) * t).astype(int)
            while body.mask[y, x] > 0.5:
                x += outward
            edge = slice(x - 3, x + 3) if outward > 0 else slice(x - 2, x + 4)
            repainted.append(np.abs(out[y, edge] - photo[y, edge]).max())
    # Six points along the outlines: repainted, they changed by 30 to 107 levels.
    assert np.mean(repainted) < 10, f"the forearms' outlines were repainted (changes {repainted})"


def test_a_skin_toned_print_beside_a_hand_does_not_come_back_over_the_new_garment(person):
    """The hands are put back over the new garment where they are skin; a pink print on the old
    trousers around a hand passed a loose skin test and came back as specks of the old print."""
    photo = person.copy()
    body = render_tryon_detailed(person, drawing.trousers(), "lower").body
    assert body.shape == (photo.height, photo.width)
    lab = cv2.cvtColor(np.asarray(photo).astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    patches = []
    for side in ("left", "right"):
        wrist, tip = body.point(side, "wrist"), body.point(side, "index")
        centre = tip + (tip - wrist) * 0.45  # beyond the fingertips, still in the hand's zone
        radius = int(0.025 * body.shoulder_width)
        x, y = (int(v) for v in centre)
        hand = lab[int(wrist[1]) : int(tip[1]), int(min(wrist[0], tip[0])) : int(max(wrist[0], tip[0])) + 1]
        skin = np.median(hand.reshape(-1, 3), axis=0)
        # The skin's hue turned by 15 units of a/b: a pink print, not skin, but near it.
        pink = np.array([skin[0], skin[1] + 15.0, skin[2] - 3.0], np.float32)
        rgb = cv2.cvtColor(pink[None, None], cv2.COLOR_LAB2RGB)[0, 0]
        ImageDraw.Draw(photo).rectangle(
            [x - radius, y - radius, x + radius, y + radius], fill=tuple(int(c * 255) for c in rgb)
        )
        patches.append((x, y, radius, rgb * 255))
    rendering = render_tryon_detailed(photo, drawing.trousers(), "lower")
    out = np.asarray(rendering.image).astype(float)
    garment = rendering.placed[0].alpha(body.shape) > 0.5
    # Only where the new trousers reach (beside them, the old ones are another matter).
    patches = [p for p in patches if garment[p[1], p[0]]]
    assert patches
    for x, y, radius, colour in patches:
        patch = out[y - radius // 2 : y + radius // 2, x - radius // 2 : x + radius // 2].reshape(-1, 3)
        still = (np.abs(patch - colour).max(axis=1) < 20).mean()
        assert still < 0.2, f"{still:.0%} of the print beside the hand at ({x}, {y}) came back"


def test_an_old_tee_reaching_the_hips_is_bared_down_to_its_hem_under_a_crop_top(person):
    """Below a crop top the midriff was bared to the waist only: the rest of an old tee that
    reaches the hips stayed, a band of it between the bare midriff and the trousers."""
    rendering = render_tryon_detailed(person, drawing.crop_top(), "upper")
    body = rendering.body
    S = body.shoulder_width
    photo = np.asarray(person.resize(rendering.image.size)).astype(int)
    out = np.asarray(rendering.image).astype(int)
    x0, x1 = int(body.origin[0] - 0.15 * S), int(body.origin[0] + 0.15 * S)

    def greenish(pixels):  # the old tee is green, the skin and the trousers are not
        return (pixels[..., 1] > pixels[..., 0] + 30) & (pixels[..., 1] > pixels[..., 2] + 10)

    rows = np.nonzero(greenish(photo[:, x0:x1]).mean(axis=1) > 0.8)[0]
    tee_hem = int(rows.max())
    garment = rendering.placed[0].alpha(body.shape) > 0.5
    top_hem = int(np.nonzero(garment[:, x0:x1].any(axis=1))[0].max())
    assert tee_hem - top_hem > 0.1 * body.torso_length, "the test needs the old tee longer than the crop top"
    band = out[top_hem + 3 : tee_hem - 2, x0:x1]
    assert greenish(band).mean() < 0.05, f"{greenish(band).mean():.0%} of the band below the crop top is the old tee"
    # Bared just above the hip joints, the skin is the torso's: shaded as two thighs, it had dark
    # stripes down it like a pair of briefs (a lightness range of 25 across the belly).
    grey = cv2.cvtColor(np.asarray(rendering.image), cv2.COLOR_RGB2GRAY).astype(float)
    T, hip = body.torso_length, int(body.hip_centre[1])
    wide = slice(int(body.origin[0] - 0.25 * S), int(body.origin[0] + 0.25 * S))
    for y in range(hip - int(0.12 * T), hip - int(0.03 * T), 4):
        row = cv2.GaussianBlur(grey[y : y + 1, wide], (0, 0), 3)[0]
        assert row.max() - row.min() < 12, f"stripes across the bared belly {y - hip} px above the hips"


def test_a_sheer_black_top_over_the_chest_is_not_the_throats_shadow(person):
    """Through a sheer black mesh top the chest has the skin's hue at a fraction of its lightness,
    like the deep shadow under a jaw; taken for that shadow, a black patch of the old top stayed
    inside a new wide neckline. Here the fixture (lit 1.5x) gets such a top over the chest the crop
    top's neckline bares."""

    first = render_tryon_detailed(person, drawing.crop_top(), "upper")
    body = first.body
    S = body.shoulder_width
    photo = np.asarray(person.resize(first.image.size)).copy()
    ys, xs = np.mgrid[0 : body.shape[0], 0 : body.shape[1]]
    across = (xs - body.origin[0]) * body.u[0] + (ys - body.origin[1]) * body.u[1]
    down = _down_map(body)
    # From just below the throat (the real neck's skin above it) down the chest.
    chest = (down > -0.08 * S) & (down < 0.4 * S) & (np.abs(across) < 0.12 * S) & (body.mask > 0.5)
    chest &= first.coverage() < 0.05
    assert chest.sum() > 0.01 * S * S, "the test needs the new neckline to bare the chest"
    lab = lab_of(photo)
    lab[..., 0] = np.minimum(lab[..., 0] * 1.5, 100.0)
    neck = (ys > body.face()[2]) & (down < -0.1 * S) & (np.abs(across) < 0.1 * S) & (body.mask > 0.5)
    skin = np.median(lab[neck], axis=0)
    lab[chest] = skin * np.array([0.25, 0.35, 0.35], np.float32)
    photo = (np.clip(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), 0, 1) * 255 + 0.5).astype(np.uint8)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.crop_top(), "upper")
    out = np.asarray(rendering.image).astype(int)
    seen = chest & (rendering.coverage() < 0.05)
    kept = (np.abs(out[seen] - photo.astype(int)[seen]).max(axis=1) < 12).mean()
    assert kept < 0.2, f"{kept:.0%} of the sheer black top over the chest stayed"


def test_the_head_above_the_chin_is_never_repainted_as_skin():
    """The zone where bared skin is filled reaches above the shoulders to cover an old collar.
    It reached above the chin too, beside the face's oval: a tilted face's shadowed jaw there
    was taken for old clothes and repainted as a pale patch. Here a woman's jaw beside the face
    gets a deep shadow just above the chin's row. (Not on the man in the green V neck: beside his
    jaw lies the back of his old collar, which does go.)"""
    person = Image.open(FIXTURES / "person_business_upper.jpg").convert("RGB")
    first = render_tryon_detailed(person, drawing.crop_top(), "upper")
    body = first.body
    S = body.shoulder_width
    photo = np.asarray(person.resize(first.image.size)).copy()
    centre, half, chin = body.face()
    ys, xs = np.mgrid[0 : body.shape[0], 0 : body.shape[1]]
    jaw = (ys > chin - 0.15 * S) & (ys < chin - 0.01 * S) & (body.mask > 0.5)
    jaw &= (xs > centre[0] + 0.4 * half) & (xs < centre[0] + 1.1 * half)
    assert jaw.sum() > 0.0008 * S * S
    photo[jaw] = (photo[jaw] * 0.3).astype(np.uint8)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.crop_top(), "upper")
    out = np.asarray(rendering.image).astype(int)
    repainted = (np.abs(out[jaw] - photo.astype(int)[jaw]).max(axis=1) > 20).mean()
    assert repainted < 0.05, f"{repainted:.0%} of the jaw's shadow was repainted"


def test_an_old_tees_own_shadow_is_not_where_it_ends(person):
    """A loose top's fold overhangs its hem and casts a dark band across it. Read as the colour
    change where the old top ends, it left the rest of the top on below a crop top's bared
    midriff. Here the fixture's old tee gets such a shadow (lightness to 40%, chroma to 55%)."""

    first = render_tryon_detailed(person, drawing.crop_top(), "upper")
    body = first.body
    S, T = body.shoulder_width, body.torso_length
    photo = np.asarray(person.resize(first.image.size)).copy()
    x0, x1 = int(body.origin[0] - 0.15 * S), int(body.origin[0] + 0.15 * S)
    tee_hem = int(np.nonzero(_greenish(photo[:, x0:x1].astype(int)).mean(axis=1) > 0.8)[0].max())
    lab = lab_of(photo)
    rows = slice(tee_hem - int(0.22 * T), tee_hem - int(0.15 * T))
    shade = np.zeros(body.shape, bool)
    shade[rows] = _greenish(photo[rows].astype(int))
    lab[shade] *= np.array([0.4, 0.55, 0.55], np.float32)
    photo = (np.clip(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), 0, 1) * 255 + 0.5).astype(np.uint8)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.crop_top(), "upper")
    out = np.asarray(rendering.image).astype(int)
    below_the_shadow = out[tee_hem - int(0.13 * T) : tee_hem - 2, x0:x1]
    left = _greenish(below_the_shadow).mean()
    assert left < 0.05, f"{left:.0%} of the old tee below its shadow stayed under the crop top's midriff"


def test_old_clothes_of_the_skins_colour_but_finely_textured_are_not_skin(person):
    """A beige houndstooth has the colour of skin on average: a dress of it stayed on the thighs
    below a new hem. Here the old trousers become a fine check of two skin tones; the thighs
    bared below new shorts must be skin, not the check."""
    photo = np.asarray(person).copy()
    lab = cv2.cvtColor(photo.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    trousers = (photo.max(axis=2) < 60) & (photo[..., 2].astype(int) > photo[..., 0] + 8)
    body = render_tryon_detailed(person, drawing.shorts(), "lower").body
    forearm = body.point("left", "elbow") + (body.point("left", "wrist") - body.point("left", "elbow")) * 0.5
    x, y = forearm.astype(int)
    skin = np.median(lab[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3), axis=0)
    rows, columns = np.mgrid[0 : photo.shape[0], 0 : photo.shape[1]]
    light = ((rows // 3 + columns // 3) % 2).astype(np.float32)
    check = np.empty_like(lab)
    check[..., 0] = skin[0] - 9 + 18 * light
    check[..., 1], check[..., 2] = skin[1], skin[2]
    check_rgb = np.clip(cv2.cvtColor(check, cv2.COLOR_LAB2RGB) * 255, 0, 255).astype(np.uint8)
    photo[trousers] = check_rgb[trousers]
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.shorts(), "lower")
    grey = cv2.cvtColor(np.asarray(rendering.image), cv2.COLOR_RGB2GRAY).astype(float)
    garment = rendering.placed[0].alpha(body.shape) > 0.5
    spreads = []
    for side in ("left", "right"):
        knee, ankle = body.point(side, "knee"), body.point(side, "ankle")
        for t in (0.0, 0.3):
            px, py = (knee + (ankle - knee) * t).astype(int)
            if garment[py, px] or not trousers[py, px]:
                continue  # covered by the shorts, or not where the old trousers were
            spreads.append(grey[py - 4 : py + 5, px - 4 : px + 5].std())
    assert spreads, "no bared leg where the old trousers were"
    # The check's two tones differ by 18 in L: left, a 9x9 patch of it varies by about 20 grey levels.
    assert max(spreads) < 8, f"the check stays on the bared legs (spread {spreads})"


def _greenish(pixels):  # the fixture's old tee is green; skin, trousers and backdrop are not
    return (pixels[..., 1] > pixels[..., 0] + 30) & (pixels[..., 1] > pixels[..., 2] + 10)


def _below_the_hem(rendering, person_photo: np.ndarray, rows: float):
    """The photo and the result across the torso's middle, from just below the new top's hem
    down ``rows`` torso lengths."""
    body = rendering.body
    S, T = body.shoulder_width, body.torso_length
    x0, x1 = int(body.origin[0] - 0.15 * S), int(body.origin[0] + 0.15 * S)
    garment = rendering.placed[-1].alpha(body.shape) > 0.5
    hem = int(np.nonzero(garment[:, x0:x1].any(axis=1))[0].max())
    band = slice(hem + 3, hem + 3 + int(rows * T))
    out = np.asarray(rendering.image).astype(int)
    photo = np.asarray(Image.fromarray(person_photo).resize(rendering.image.size)).astype(int)
    return photo[band, x0:x1], out[band, x0:x1]


def test_a_crop_top_over_an_old_dress_leaves_its_skirt_on(person):
    """Over a dress (or a jumpsuit, a long top) no midriff is seen to end anywhere: cut out to the
    waist, it was a flat slab of skin ending in a straight line across the skirt. The crop top
    is worn over it. Here the old trousers are repainted the tee's green: one long garment."""
    photo = np.asarray(person).copy()
    trousers = (photo.max(axis=2) < 60) & (photo[..., 2].astype(int) > photo[..., 0] + 8)
    green = np.median(photo[_greenish(photo.astype(int))], axis=0)
    photo[trousers] = green
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.crop_top(), "upper")
    before, after = _below_the_hem(rendering, photo, 0.2)
    assert _greenish(before).mean() > 0.9, "the test needs the old garment below the crop top"
    assert _greenish(after).mean() > 0.8, f"only {_greenish(after).mean():.0%} of the dress below the crop top stayed"


def test_an_old_tee_with_a_large_print_is_bared_under_a_crop_top(person):
    """The old top's colour was the median of the chest: a large dark print made it a grey that
    the tee's own colour was too far from, and the whole old tee stayed below the crop top."""
    photo = np.asarray(person).copy()
    body = render_tryon_detailed(person, drawing.crop_top(), "upper").body
    S, T = body.shoulder_width, body.torso_length
    scale = photo.shape[1] / body.shape[1]
    x0, x1 = (np.array([body.origin[0] - 0.3 * S, body.origin[0] + 0.3 * S]) * scale).astype(int)
    top, bottom = (np.array([body.origin[1] + 0.15 * T, body.origin[1] + 0.5 * T]) * scale).astype(int)
    stripe = max(2, int(0.03 * T * scale))
    for y in range(top, bottom, 2 * stripe + stripe // 2):  # black bars over 2/3 of the chest
        photo[y : y + 2 * stripe, x0:x1] = (20, 20, 25)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.crop_top(), "upper")
    before, after = _below_the_hem(rendering, photo, 0.15)
    assert _greenish(before).mean() > 0.2, "the test needs the old tee below the crop top"
    assert _greenish(after).mean() < 0.05, f"{_greenish(after).mean():.0%} below the crop top is the old tee"
    print_left = (after.max(axis=2) < 60).mean()
    assert print_left < 0.05, f"{print_left:.0%} below the crop top is the old print"


def test_a_crop_top_and_a_low_skirt_bare_the_body_between_them(person):
    """Bared down to the old top's end only, the midriff stopped short of a new skirt sitting
    lower than the old waistband: a strip of backdrop cut the body in two. And bared as wide as
    the old top's sides, it was a slab with straight edges: the body narrows at the waist."""
    photo = np.asarray(person).copy()
    rendering = render_tryon_detailed(person, drawing.crop_top(), "combo", lower_cloth_image=drawing.mini_skirt())
    body = rendering.body
    S, T = body.shoulder_width, body.torso_length
    skirt, top = rendering.placed
    out = np.asarray(rendering.image).astype(int)
    down = _down_map(body)
    across = np.abs(
        (np.mgrid[0 : body.shape[0], 0 : body.shape[1]][1] - body.origin[0]) * body.u[0]
        + (np.mgrid[0 : body.shape[0], 0 : body.shape[1]][0] - body.origin[1]) * body.u[1]
    )
    garments = (top.alpha(body.shape) > 0.1) | (skirt.alpha(body.shape) > 0.1)
    between = ~garments & (down > top.hem_down) & (down < skirt.top_down) & (across < 0.2 * S)
    assert between.sum() > 0.05 * T * S, "the test needs a gap between the crop top and the skirt"
    pale = (out[between].min(axis=1) > 225).mean()  # the backdrop is white; skin is not
    assert pale < 0.02, f"{pale:.0%} of the body between the crop top and the skirt is backdrop"
    # At the waist the old tee's sides, beyond the body's own width, are backdrop.
    photo = np.asarray(Image.fromarray(photo).resize(rendering.image.size)).astype(int)
    waist = (np.abs(down - 0.8 * T) < 0.03 * T) & ~garments & _greenish(photo)
    sides = waist & (across > 0.9 * body.expected_half_width(0.8 * T))
    assert sides.sum() > 20, "the test needs the old tee wider than the waist"
    assert (out[sides].min(axis=1) > 225).mean() > 0.8, "the old tee's sides at the waist became skin"


def test_the_old_trousers_waistband_below_a_bared_midriff_stays(person):
    """The midriff is bared a little past where the old tee ends; the old tee's sides beside it
    went to the backdrop down to the same depth, and took the top of the trousers' waistband
    with them: a pale band between the belly and the trousers."""
    rendering = render_tryon_detailed(person, drawing.crop_top(), "upper")
    body = rendering.body
    S = body.shoulder_width
    photo = np.asarray(person.resize(rendering.image.size)).astype(int)
    out = np.asarray(rendering.image).astype(int)
    # Navy, not the dark green of the tee's shadowed hem.
    trousers = (photo.max(axis=2) < 60) & (photo[..., 2] > photo[..., 0] + 8) & (photo[..., 2] >= photo[..., 1])
    across = np.abs(
        (np.mgrid[0 : body.shape[0], 0 : body.shape[1]][1] - body.origin[0]) * body.u[0]
        + (np.mgrid[0 : body.shape[0], 0 : body.shape[1]][0] - body.origin[1]) * body.u[1]
    )
    rows = np.nonzero((trousers & (across < 0.3 * S)).any(axis=1))[0]
    top = int(rows.min())
    waistband = trousers & (across < 0.3 * S)
    waistband[:top, :] = False
    waistband[top + int(0.04 * body.torso_length) :, :] = False
    assert waistband.sum() > 100, "the test needs the trousers' top in the photo"
    kept = (np.abs(out[waistband] - photo[waistband]).max(axis=1) < 25).mean()
    assert kept > 0.9, f"only {kept:.0%} of the trousers' waistband stayed"


@pytest.mark.parametrize("make", [drawing.fitted_cap_sleeve_top, drawing.crop_top])
def test_no_skin_shows_through_where_a_tops_pieces_meet_at_the_shoulder(person, make):
    """The body panel and each sleeve are warped apart; where their outlines meet at an angle at
    the top of the shoulder a small hole opened between them, and the old clothes under it went
    to skin: a dark nick in the new top at each armhole seam."""
    rendering = render_tryon_detailed(person, make(), "upper")
    body = rendering.body
    S, T = body.shoulder_width, body.torso_length
    out = np.asarray(rendering.image).astype(int)
    garment = (out.max(axis=2) > 150).astype(np.uint8)  # the drawn top is light; this person's skin is dark
    size = int(0.1 * S) | 1
    closed = cv2.morphologyEx(garment, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    down = _down_map(body)
    ys, xs = np.mgrid[0 : body.shape[0], 0 : body.shape[1]]
    across = np.abs((xs - body.origin[0]) * body.u[0] + (ys - body.origin[1]) * body.u[1])
    # Where the armhole seams are, clear of the neckline's corners and the arms below the sleeves.
    shoulders = (np.abs(down) < 0.15 * T) & (across > 0.3 * S) & (across < 0.55 * S) & (body.mask > 0.5)
    holes = (closed > 0) & (garment == 0) & shoulders
    assert holes.sum() < 0.002 * S * S, f"{holes.sum()} px of skin show through the top at the shoulders"


@pytest.mark.parametrize(
    "lifted, dimmed",
    [
        # Darker and less saturated: compared with the lit skin's hue, it was no skin.
        (1.0, (0.6, 0.45)),
        # The photo lit brighter and the neck as deep in shadow as under a dark-skinned man's jaw
        # (a quarter of the lit skin's lightness): darker than any shade of skin allowed.
        (1.5, (0.25, 0.35)),
    ],
)
def test_the_shadow_under_the_jaw_is_skin_not_an_old_collar(person, lifted, dimmed):
    """Skin in shadow is darker and less saturated with it. The shadow under a dark-skinned
    person's jaw passed for an old collar and was repainted as a lighter, flat patch across the
    neck. Here the neck below the chin is put in a shadow (its lightness and chroma scaled)."""

    first = render_tryon_detailed(person, drawing.crop_top(), "upper")
    body = first.body
    S = body.shoulder_width
    photo = np.asarray(person.resize(first.image.size)).copy()
    chin = body.face()[2]
    ys, xs = np.mgrid[0 : body.shape[0], 0 : body.shape[1]]
    across = (xs - body.origin[0]) * body.u[0] + (ys - body.origin[1]) * body.u[1]
    down = _down_map(body)
    # Under the jaw: from the chin down to a tenth of the shoulder width above the shoulders.
    shadow = (ys > chin) & (down < -0.1 * S) & (np.abs(across) < 0.12 * S) & (body.mask > 0.5)
    lab = lab_of(photo)
    lab[..., 0] = np.minimum(lab[..., 0] * lifted, 100.0)
    lab[shadow] *= np.array([dimmed[0], dimmed[1], dimmed[1]], np.float32)
    photo = (np.clip(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), 0, 1) * 255 + 0.5).astype(np.uint8)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.crop_top(), "upper")
    out = np.asarray(rendering.image).astype(int)
    seen = shadow & (rendering.coverage() < 0.05)
    assert seen.sum() > 0.02 * S * S, "the test needs the neck bare"
    repainted = (np.abs(out[seen] - photo.astype(int)[seen]).max(axis=1) > 20).mean()
    # The new neckline's soft shadow and feathered edge change about a sixth of it anyway.
    assert repainted < 0.3, f"{repainted:.0%} of the shadowed neck was repainted"


def test_a_fill_takes_its_grain_from_calm_skin_not_from_features(person):
    """Bared skin is given the person's own grain, tiled from patches of their visible skin.
    Patches holding a feature (a crease, a freckle, a fleck of an old print) tiled over a bared
    leg as flecks. Here one forearm is speckled with light flecks and the other is left as it is:
    the bared legs under new shorts must not repeat the flecks."""

    first = render_tryon_detailed(person, drawing.shorts(), "lower")
    body = first.body
    T = body.torso_length
    photo = np.asarray(person.resize(first.image.size)).copy()
    rng = np.random.default_rng(3)
    _, elbow, wrist = body.limb("left", ("shoulder", "elbow", "wrist"))
    forearm = capsule_mask(body.shape, [elbow, wrist], 0.06 * body.shoulder_width) & (body.mask > 0.5)
    ys, xs = np.nonzero(forearm)
    pick = rng.choice(len(ys), size=len(ys) // 12, replace=False)
    photo[ys[pick], xs[pick]] = np.clip(photo[ys[pick], xs[pick]].astype(int) + 70, 0, 255)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.shorts(), "lower")
    out = lab_of(np.asarray(rendering.image))[..., 0]
    legs = np.zeros(body.shape, bool)
    for side in ("left", "right"):
        _, knee, ankle = body.limb(side, ("hip", "knee", "ankle"))
        legs |= capsule_mask(body.shape, [knee + (ankle - knee) * 0.2, knee + (ankle - knee) * 0.8], 0.03 * T)
    local = cv2.medianBlur(out.astype(np.uint8), 5).astype(np.float32)
    # The grain itself is within about 2 L of its surroundings; a repeated fleck stands out more.
    flecks = legs & (out - local > 3)
    assert legs.sum() > 0.05 * T * T
    assert flecks.sum() / legs.sum() < 0.001, f"{flecks.sum()} flecks on the bared shins"


def test_no_seam_of_the_old_trousers_where_bared_legs_meet_the_backdrop(person):
    """Below a new mini skirt the old trousers become skin on the legs and backdrop beside them.
    Each was feathered over them on its own, so where the two meet a quarter of the trousers still
    showed: a dark line down each bared leg's side. Here the fixture's trousers are dyed blue,
    which neither skin nor the white backdrop is."""
    pose = analyse_person(person)
    T = pose.torso_length
    photo = np.asarray(person).copy()
    hips = (pose.point(LEFT_HIP) + pose.point(RIGHT_HIP)) / 2
    below_hips = np.arange(photo.shape[0])[:, None] > hips[1] + 0.1 * T
    photo[below_hips & (pose.person_mask > 0.5) & (photo.max(axis=2) < 90)] = (40, 70, 190)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.mini_skirt(), "lower")
    out = np.asarray(rendering.image).astype(int)
    body = rendering.body
    knees = max(body.point(side, "knee")[1] for side in ("left", "right"))
    ankles = min(body.point(side, "ankle")[1] for side in ("left", "right"))
    shins = np.zeros(out.shape[:2], bool)
    shins[int(knees) : int(ankles - 0.1 * T)] = True
    bluish = shins & (out[..., 2] - out[..., 1] > 10) & (out.min(axis=2) < 200)
    assert bluish.sum() < 100, f"{bluish.sum()} pixels of the old trousers' blue stay along the shins"


def _hairy_shadowed_calves(person):
    """``_legs_shown_bare`` below the knees, each calf's outer quarter in a grey shadow and dark
    hairs across them: a man's real shins, which fail the skin test in places."""
    photo, painted, legs = _legs_shown_bare(person, -0.1, 0.0, (0.1, 0.08))
    draw = ImageDraw.Draw(photo)
    rng = np.random.default_rng(3)
    for shape, outward in legs:
        (tl, tr, br, bl) = shape
        inner = (tr, br) if outward < 0 else (tl, bl)
        outer = (tl, bl) if outward < 0 else (tr, br)
        quarter = [inner[0] + (outer[0] - inner[0]) * 0.75, outer[0], outer[1], inner[1] + (outer[1] - inner[1]) * 0.75]
        draw.polygon([tuple(p) for p in quarter], fill=SHADOWED_SKIN)
        for _ in range(40):
            start = tl + (tr - tl) * rng.uniform(0.1, 0.9) + (bl - tl) * rng.uniform(0.05, 0.9)
            draw.line([tuple(start), tuple(start + rng.normal(0, 3, 2))], fill=(35, 25, 22), width=1)
    return photo, painted, legs


def test_a_real_shin_in_shadow_and_hairy_stays_as_it_is(person):
    """Below an old pair of shorts a man's shins are bare, hairy, and one side of each in shadow:
    both fail the skin test, and a new mini skirt had them repainted as smooth skin, a patchwork
    over his real legs."""
    photo, painted, legs = _hairy_shadowed_calves(person)
    rendering = render_tryon_detailed(photo, drawing.mini_skirt(), "lower", person=painted)
    out = np.asarray(rendering.image).astype(int)
    before = np.asarray(photo.resize(rendering.image.size)).astype(int)
    for shape, _ in legs:
        inside = np.zeros(out.shape[:2], np.uint8)
        cv2.fillPoly(inside, [shape.astype(np.int32)], 1)
        inside = cv2.erode(inside, np.ones((7, 7), np.uint8)) > 0
        kept = (np.abs(out[inside] - before[inside]).max(axis=1) < 12).mean()
        assert kept > 0.95, f"only {kept:.0%} of a real hairy, shadowed calf stayed as it was"


def test_a_skin_coloured_textured_old_top_beside_the_arm_stays_behind_the_new_one(person):
    """The forearms are put back in front of a new top wherever the photo is skin-coloured along
    them. A beige houndstooth dress's side panel beside the arm passes the skin test, so it came back
    over a new cami as a strip. Here the fixture's tee beside its arms is painted with a fine
    check in two skin tones, and a sleeveless vest covers it."""
    photo = np.asarray(person).copy()
    h, w = photo.shape[:2]
    body = render_tryon_detailed(person, drawing.sleeveless_vest(), "upper").body
    beside_arms = np.zeros((h, w), bool)
    for side in ("left", "right"):
        shoulder, elbow, wrist = body.limb(side, ("shoulder", "elbow", "wrist"))
        beside_arms |= capsule_mask(
            (h, w), [shoulder + (elbow - shoulder) * 0.45, elbow, wrist], 0.085 * body.shoulder_width
        )
    beside_arms &= _greenish(photo) & (body.mask > 0.5)
    ys, xs = np.mgrid[0:h, 0:w]
    check = (ys // 2 + xs // 2) % 2 == 0
    photo[beside_arms & check], photo[beside_arms & ~check] = (150, 100, 80), (110, 66, 50)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.sleeveless_vest(), "upper")
    out = np.asarray(rendering.image).astype(int)
    under = beside_arms & (rendering.coverage() > 0.9)
    assert under.sum() > 200
    showing = (np.abs(out - photo.astype(int)).max(axis=2) < 15)[under].mean()
    assert showing < 0.2, f"{showing:.0%} of the check shows through the new vest"


def test_a_thigh_bared_above_a_hairy_shadowed_shin_is_as_dark_as_it(person):
    """The light of a bared thigh is measured on the same leg's real skin below it. Measured on the
    pixels that pass the skin test only, a hairy shin with a shadowed side lent the thigh only its
    lightest skin: the thigh came out lighter than the shin it meets."""
    photo, painted, legs = _hairy_shadowed_calves(person)
    rendering = render_tryon_detailed(photo, drawing.mini_skirt(), "lower", person=painted)
    T = rendering.body.torso_length
    out, before = lab_of(np.asarray(rendering.image)), lab_of(np.asarray(photo))
    filled = (rendering.coverage() < 0.3) & (np.asarray(rendering.image).min(axis=2) < 200)
    for shape, _ in legs:
        top, left, right = int(shape[0][1]), int(shape[:, 0].min()), int(shape[:, 0].max())
        thigh = np.zeros(filled.shape, bool)
        thigh[top - int(0.08 * T) : top - int(0.02 * T), left:right] = True
        calf = np.zeros(filled.shape, np.uint8)
        cv2.fillPoly(calf, [shape.astype(np.int32)], 1)
        calf[top + int(0.1 * T) :] = 0
        step = out[thigh & filled][:, 0].mean() - before[calf > 0][:, 0].mean()
        assert abs(step) < 3.5, f"the bared thigh is {step:+.1f} L off the real shin below it"


def _mans_shoes(pose):
    """The fixture's outline with a shoe as wide as a man's round each foot (heel to toes), and the
    shoes (masks), to be painted on its pixels."""
    T = pose.torso_length
    outline = pose.person_mask.copy()
    shoes = []
    for heel, toes in ((LEFT_HEEL, LEFT_FOOT_INDEX), (RIGHT_HEEL, RIGHT_FOOT_INDEX)):
        middle = (pose.landmarks[heel, :2] + pose.landmarks[toes, :2]) / 2
        shoe = np.zeros(outline.shape, np.uint8)
        cv2.ellipse(shoe, tuple(int(v) for v in middle), (int(0.1 * T), int(0.035 * T)), 0, 0, 360, 1, -1)
        shoes.append(shoe > 0)
        outline[shoe > 0] = 1.0
    return outline, shoes


def test_black_shoes_below_black_trousers_stay_whole(person):
    """Below the ankles, old clothes are told by the colour of the old clothes on the shins, except
    round each foot. Round it by 0.06 of the torso, black shoes under black trousers (the fixture's
    shoes, painted as wide as a man's shoe) lost their outer sides to the backdrop under new shorts."""
    pose = analyse_person(person)
    photo = person.copy()
    outline, shoes = _mans_shoes(pose)
    pixels = np.asarray(photo).copy()
    for shoe in shoes:
        pixels[shoe] = (20, 20, 24)
    photo = Image.fromarray(pixels)
    rendering = render_tryon_detailed(
        photo, drawing.shorts(), "lower", person=dataclasses.replace(pose, person_mask=outline)
    )
    out, before = np.asarray(rendering.image).astype(int), pixels.astype(int)
    for shoe in shoes:
        inside = cv2.erode(shoe.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        kept = (np.abs(out[inside] - before[inside]).max(axis=1) < 20).mean()
        assert kept > 0.99, f"only {kept:.1%} of a shoe stayed"


def _patterned_trousers(person, pose, outline):
    """The fixture's pixels with its trousers patterned (red, greys and black squares, as the dev
    set's) inside ``outline`` and ending CUFF_ABOVE_HEELS of the torso above the heel landmarks; and
    the trousers (mask)."""
    T = pose.torso_length
    mask = outline > 0.5
    ys, xs = np.mgrid[: mask.shape[0], : mask.shape[1]]
    square = max(3, int(0.03 * T))
    pattern = np.array([(120, 40, 50), (110, 110, 115), (25, 25, 28), (70, 70, 75)], np.uint8)
    checks = pattern[(ys // square + 2 * (xs // square)) % len(pattern)]
    heels = min(pose.landmarks[i, 1] for i in (LEFT_HEEL, RIGHT_HEEL))
    knees = max(pose.point(LEFT_KNEE)[1], pose.point(RIGHT_KNEE)[1])
    trousers = mask & (ys > knees) & (ys < heels - CUFF_ABOVE_HEELS * T)
    pixels = np.asarray(person).copy()
    pixels[trousers] = checks[trousers]
    return pixels, trousers


def test_a_patterned_cuff_above_bare_ankles_goes_though_a_shoe_is_near(person):
    """The heel landmark is often at the ankle, and the round kept for the shoe round it then reaches
    up over an old trouser cuff. Patterned trousers (median L 36 on the dev set) lie within ΔE 20 of
    a black shoe, so their colour did not tell the cuff from the shoe: it stayed round the ankle
    under a new dress, above a Mary-Jane's straps. The bare ankle below it tells it: no shoe is
    above the bare ankle. Here black shoes as wide as a man's (as in the test above) are painted
    on, and bare ankles (the fixture's skin tone) between them and the cuff."""
    pose = analyse_person(person)
    T = pose.torso_length
    outline, shoes = _mans_shoes(pose)
    pixels, trousers = _patterned_trousers(person, pose, outline)
    ys = np.mgrid[: trousers.shape[0], : trousers.shape[1]][0]
    heels = min(pose.landmarks[i, 1] for i in (LEFT_HEEL, RIGHT_HEEL))
    shoe_tops = min(np.nonzero(shoe)[0].min() for shoe in shoes)
    pixels[(outline > 0.5) & (ys >= heels - CUFF_ABOVE_HEELS * T) & (ys < shoe_tops)] = SKIN_TONE
    for shoe in shoes:
        pixels[shoe] = (20, 20, 24)
    photo = Image.fromarray(pixels)
    rendering = render_tryon_detailed(
        photo, drawing.knee_dress(), "full", person=dataclasses.replace(pose, person_mask=outline)
    )
    out, before = np.asarray(rendering.image).astype(int), pixels.astype(int)
    in_the_rounds = trousers & (ys > heels - 0.06 * T)
    assert in_the_rounds.sum() > 100, "the test needs the cuff inside the shoes' rounds"
    left = (np.abs(out[in_the_rounds] - before[in_the_rounds]).max(axis=1) < 20).mean()
    assert left < 0.05, f"{left:.0%} of the old cuff in the shoes' rounds stayed"
    for shoe in shoes:
        inside = cv2.erode(shoe.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        kept = (np.abs(out[inside] - before[inside]).max(axis=1) < 20).mean()
        assert kept > 0.99, f"only {kept:.1%} of a shoe stayed"


def test_a_flip_flops_strap_under_a_cuff_stays_above_bare_toes(person):
    """No shoe is above the bare ankle; but bare toes are no ankle. A flip-flop's strap across the
    instep, with an old cuff resting on it and bare toes below, is in the shoe's round: it stays,
    however like the old trousers' colour. Here it is painted down to FLIP_FLOP_STRAP of the way
    from the heel to the toes, and the fixture's skin tone below it down to the toes."""
    pose = analyse_person(person)
    T = pose.torso_length
    pixels, _ = _patterned_trousers(person, pose, pose.person_mask)
    mask = pose.person_mask > 0.5
    ys = np.mgrid[: mask.shape[0], : mask.shape[1]][0]
    straps = np.zeros(mask.shape, bool)
    for heel, toes in ((LEFT_HEEL, LEFT_FOOT_INDEX), (RIGHT_HEEL, RIGHT_FOOT_INDEX)):
        heel_y, toes_y = pose.landmarks[heel, 1], pose.landmarks[toes, 1]
        strap_end = heel_y + FLIP_FLOP_STRAP * (toes_y - heel_y)
        foot = capsule_mask(mask.shape, [pose.landmarks[heel, :2], pose.landmarks[toes, :2]], 0.04 * T) & mask
        straps |= foot & (ys >= heel_y - CUFF_ABOVE_HEELS * T) & (ys < strap_end)
        pixels[foot & (ys >= strap_end) & (ys < toes_y)] = SKIN_TONE
    pixels[straps] = STRAP_COLOUR
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.knee_dress(), "full", person=pose)
    out = np.asarray(rendering.image).astype(int)
    inside = cv2.erode(straps.view(np.uint8), np.ones((5, 5), np.uint8)) > 0
    kept = (np.abs(out[inside] - np.array(STRAP_COLOUR)).max(axis=1) < 20).mean()
    assert kept > 0.9, f"only {kept:.0%} of the flip-flops' straps stayed"


def test_a_skin_coloured_sliver_along_an_old_sleeves_edge_goes_with_it(person):
    """A red sleeve's edge blended with a white backdrop is pink and passes the skin test. Under a
    sleeveless top it was kept as skin, and stayed as a fringe down the outer side of each bared
    arm. Here a three-pixel line of a light skin tone is painted along the sleeves' outer edges."""
    pose = analyse_person(person)
    pixels = np.asarray(person).copy()
    mask = pose.person_mask > 0.5
    painted = np.zeros(mask.shape, bool)
    for shoulder, elbow, _ in ARMS.values():
        top, bottom = pose.point(shoulder), pose.point(elbow)
        outward = 1 if top[0] > pose.point(LEFT_SHOULDER + RIGHT_SHOULDER - shoulder)[0] else -1
        # The old tee's short sleeve: from the shoulder a third of the way to the elbow.
        for y in range(int(top[1] + 0.1 * (bottom[1] - top[1])), int(top[1] + 0.35 * (bottom[1] - top[1]))):
            xs = np.nonzero(mask[y])[0]
            edge = xs.max() if outward > 0 else xs.min()
            columns = slice(edge - 2, edge + 1) if outward > 0 else slice(edge, edge + 3)
            painted[y, columns] = True
    sliver = (176, 118, 100)
    pixels[painted] = sliver
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.sleeveless_vest(), "upper", person=pose)
    out = np.asarray(rendering.image).astype(int)
    stayed = (np.abs(out[painted] - sliver).max(axis=1) < 20).mean()
    assert painted.sum() > 100
    assert stayed < 0.1, f"{stayed:.0%} of the sliver stayed"


def test_old_sleeves_of_the_skins_colour_go_beside_new_long_sleeves(person):
    """Tan leather passes the skin test: beside a new tee's long sleeves, the old jacket's wider tan
    sleeves stayed as strips down both arms (445 of 647 pixels beside them). The arm is in the new
    sleeve; nothing beside it is. The jacket's sleeves stand off the arms, as a bulky jacket's do
    (within the arms' outline, the new sleeves cover them whole since they go on unmirrored);
    left to the skin test, 1231 of the 2941 pixels beside the new sleeves stay."""
    pose = analyse_person(person)
    S = pose.shoulder_width
    pixels = np.asarray(person).copy()
    leather = np.zeros(pixels.shape[:2], bool)
    for shoulder, elbow, wrist in ARMS.values():
        arm = [pose.point(shoulder), pose.point(elbow), pose.point(wrist)]
        leather |= capsule_mask(leather.shape, arm, 0.18 * S)
    pixels[leather] = LEATHER
    mask = np.maximum(pose.person_mask, leather.astype(np.float32))
    rendering = render_tryon_detailed(
        Image.fromarray(pixels), drawing.long_sleeve_tee(), "upper", person=dataclasses.replace(pose, person_mask=mask)
    )
    out = np.asarray(rendering.image).astype(int)
    uncovered = leather & (rendering.coverage() < 0.5) & ~_near_the_hands(rendering.body)
    stayed = (np.abs(out[uncovered] - LEATHER).max(axis=1) < 30).sum()
    assert uncovered.sum() > 500, "the new sleeves covered the old ones whole: nothing to test"
    assert stayed < 0.1 * uncovered.sum(), f"{stayed} of {uncovered.sum()} old sleeve pixels beside the new ones stayed"


def test_a_new_long_sleeve_covers_an_old_sheer_sleeves_cuff_over_the_hand():
    """A sheer black sleeve that reaches past the wrist onto the back of the hand: the skin seen
    through it passes for the wrist's shadow, so nothing cleared it, and a new long sleeve ending at
    the wrist left a black cuff below it (a quarter of the painted cuff stayed as it was). The new
    sleeve reaches on over it. Painted here on the woman in leggings, whose hands hang free."""
    photo = Image.open(FIXTURES / "person_woman_fullbody_leggings.jpg").convert("RGB")
    pose, pixels, person_there = _to_paint(photo)
    S = pose.shoulder_width
    sheer = np.zeros(person_there.shape, bool)
    cuffs = {}
    for side, (shoulder, elbow, wrist) in ARMS.items():
        top, bend, end = pose.point(shoulder), pose.point(elbow), pose.point(wrist)
        past = end + (end - bend) * 0.1
        sheer |= capsule_mask(person_there.shape, [top, bend, end, past], 0.14 * S) & person_there
        cuffs[side] = capsule_mask(person_there.shape, [end, past], 0.14 * S) & person_there
    pixels[sheer] = (0.25 * pixels[sheer] + 0.75 * np.array([25, 25, 30])).astype(np.uint8)
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.long_sleeve_tee(), "upper", person=pose)
    as_it_was = np.abs(np.asarray(rendering.image).astype(int) - pixels).max(axis=2) < 10
    for side, cuff in cuffs.items():
        stayed = (as_it_was & cuff).sum() / cuff.sum()
        assert stayed < 0.12, f"{stayed:.0%} of the old sleeve's cuff over the {side} hand stayed"


def test_an_old_dress_round_hands_hanging_by_the_hips_goes_beside_new_trousers():
    """Hands hang by the hips in front of an old dress wider than the new trousers: the dress round
    them stayed, as strips and blobs between the fingers and the trousers (a houndstooth dress by new
    jeans in the dev set), because all round each hand was kept as the hand. Only the hand's skin,
    and what it holds between its fingers, stays. Painted here: a grey dress from the hips to the
    knees, wider than the hips, behind the woman's bare arms and hands."""
    stayed = _old_dress_round_the_hands_stayed(lambda dress, pixels, own_skin: np.array([120, 112, 104]))
    assert stayed < 0.25, f"{stayed:.0%} of the old dress round the hands stayed"


def test_a_skin_coloured_houndstooth_round_hands_hanging_by_the_hips_goes_beside_new_trousers():
    """The same with an old houndstooth dress whose light checks have the skin's colour (dev set: a
    beige houndstooth by new jeans): they passed for the hands' skin, and a block of the dress beside
    each hand stayed on the jeans. Painted here: checks of the woman's own skin colour, light and
    shaded, with dark dots, from the hips to the knees behind her hands."""

    def houndstooth(dress, pixels, own_skin):
        # Light and shaded checks of her skin's colour, two pixels each, with a dark dot every fourth.
        tone = np.median(pixels[own_skin], axis=0)
        ys, xs = np.nonzero(dress)
        shading = np.where((xs // 2 + ys // 2) % 2 == 0, 1.0, 0.72)
        check = np.clip(tone * shading[:, None], 0, 255)
        check[(xs % 4 == 0) & (ys % 4 == 0)] = (70, 50, 45)
        return check.astype(np.uint8)

    stayed = _old_dress_round_the_hands_stayed(houndstooth, passes_for_skin=0.6)
    assert stayed < 0.25, f"{stayed:.0%} of the houndstooth round the hands stayed"


def _old_dress_round_the_hands_stayed(paint, passes_for_skin: float | None = None) -> float:
    """The share of an old dress, from the hips to the knees and wider than the hips, behind the
    leggings fixture's hanging hands, that stays round the hands beside new trousers. ``paint(dress,
    pixels, own_skin)`` gives its colours; at least ``passes_for_skin`` of them must pass the skin test."""
    photo = Image.open(FIXTURES / "person_woman_fullbody_leggings.jpg").convert("RGB")
    pose, pixels, _ = _to_paint(photo)
    S = pose.shoulder_width
    body = render_tryon_detailed(photo, drawing.trousers(), "lower", person=pose).body
    hips = sorted([pose.point(LEFT_HIP), pose.point(RIGHT_HIP)], key=lambda p: p[0])
    knees = sorted([pose.point(LEFT_KNEE), pose.point(RIGHT_KNEE)], key=lambda p: p[0])
    wider = np.array([0.4 * S, 0.0])
    outline = np.array([hips[0] - wider, hips[1] + wider, knees[1] + wider, knees[0] - wider], np.int32)
    dress = np.zeros(pixels.shape[:2], np.uint8)
    cv2.fillConvexPoly(dress, outline, 1)
    lab = lab_of(pixels)
    skin = skin_colour(pixels, body, lab)
    own_skin = is_skin(lab, skin)
    dress = (dress > 0) & ~own_skin
    pixels[dress] = paint(dress, pixels, own_skin & (pose.person_mask > 0.5))
    painted = pixels.astype(int)
    if passes_for_skin is not None:
        assert is_skin(lab_of(pixels), skin)[dress].mean() > passes_for_skin, "the dress does not pass for skin"
    mask = np.maximum(pose.person_mask, dress.astype(np.float32))
    rendering = render_tryon_detailed(
        Image.fromarray(pixels), drawing.trousers(), "lower", person=dataclasses.replace(pose, person_mask=mask)
    )
    round_the_hands = np.zeros(dress.shape, bool)
    for side in ("left", "right"):
        wrist = body.point(side, "wrist")
        for tip in (body.point(side, p) for p in ("index", "pinky", "thumb")):
            round_the_hands |= capsule_mask(dress.shape, [wrist, tip + (tip - wrist) * 0.6], 0.13 * S)
    beside = round_the_hands & dress & (rendering.coverage() < 0.05)
    assert beside.sum() > 1000, "the trousers covered the dress round the hands: nothing to test"
    return float((np.abs(np.asarray(rendering.image).astype(int)[beside] - painted[beside]).max(axis=1) < 20).mean())


def test_old_sleeves_hanging_below_a_new_waistband_stay_whole(person):
    """A new bottom alone: the old top stays, sleeves and all. Below the new waistband everything
    but the legs gave way to the backdrop, save a narrow core of each arm: an old shirt's sleeves
    became sticks there and a bomber's knitted cuffs were cut level with the waistband (dev set).
    Painted here: wide blue sleeves down to the man's wrists, by his pockets at the waistband."""
    pose, pixels, person_there = _to_paint(person)
    S = pose.shoulder_width
    sleeves = np.zeros(person_there.shape, bool)
    for shoulder, elbow, wrist in ARMS.values():
        sleeves |= capsule_mask(sleeves.shape, [pose.point(shoulder), pose.point(elbow), pose.point(wrist)], 0.15 * S)
    sleeves &= person_there
    blue = np.array([40, 70, 160])
    pixels[sleeves] = blue
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.trousers(), "lower", person=pose)
    below = sleeves & (_down_map(rendering.body) > rendering.placed[0].top_down) & (rendering.coverage() < 0.05)
    stayed = (np.abs(np.asarray(rendering.image).astype(int)[below] - blue).max(axis=1) < 40).mean()
    assert below.sum() > 3000
    assert stayed > 0.93, f"{1 - stayed:.0%} of the old sleeves below the new waistband went"


def _near_the_hands(body) -> np.ndarray:
    """Round each hand, from a little above the wrist: below a sleeve's end the arm shows."""
    near = np.zeros(body.shape, bool)
    for side in ("left", "right"):
        wrist = body.point(side, "wrist")
        elbow = body.point(side, "elbow")
        near |= capsule_mask(
            body.shape, [wrist + (elbow - wrist) * 0.15, wrist + (wrist - elbow) * 0.6], 0.12 * body.shoulder_width
        )
    return near


def _to_paint(person):
    """The fixture's pose, a copy of its pixels to paint old clothes on, and where the person is."""
    pose = analyse_person(person)
    return pose, np.asarray(person).copy(), pose.person_mask > 0.3


def test_an_old_sleeves_outline_blended_to_skin_colour_is_no_arms_outline():
    """A bare arm's outline against the backdrop is kept (neither skin nor old clothes). A red
    jacket's own outline blends with a pale wall into a pink of the skin's hue, a line a pixel or
    two wide that passes the skin test: taken for an arm's, it kept the red beside it round bared
    shoulders as a fringe (dev set). Drawn here: an arm 20 px wide by the backdrop, and an old
    sleeve by the backdrop whose outer two pixels are skin-coloured."""
    from tryon.engine.composite import _arm_outline

    backdrop = np.zeros((60, 100), bool)
    backdrop[:, 70:] = True
    skin = np.zeros((60, 100), bool)
    skin[:30, 50:70] = True  # the bare arm, up to the backdrop
    skin[30:, 68:70] = True  # the old sleeve's blended edge
    outline = _arm_outline(skin, backdrop)
    assert outline[15, 66:74].all(), "the arm's outline is not kept"
    assert not outline[45:, :].any(), "the old sleeve's blended edge is kept as an arm's outline"


def test_a_bare_forearms_shaded_side_stays_the_forearms():
    """A bare forearm's shaded side is darker than any shade the skin test allows when the face the
    skin colour is read from is lit and made up: taken for old clothes, it was filled with skin, and
    the real forearm beside it stayed, a patchwork down the arm (dev set). A thin line of the skin's
    hue, darker, along real skin is the arm's shade. Painted here: the woman's forearms' sides in a
    deep shade of her skin's hue, under a sleeveless top that leaves her arms as they were."""
    photo = Image.open(FIXTURES / "person_woman_fullbody_leggings.jpg").convert("RGB")
    pose, pixels, person_there = _to_paint(photo)
    S = pose.shoulder_width
    lab = lab_of(pixels)
    skin = skin_colour(pixels, render_tryon_detailed(photo, drawing.cami(), "upper", person=pose).body, lab)
    forearms = np.zeros(person_there.shape, bool)
    for _, elbow, wrist in ARMS.values():
        bend, end = pose.point(elbow), pose.point(wrist)
        forearms |= capsule_mask(forearms.shape, [bend + (end - bend) * 0.2, end - (end - bend) * 0.2], 0.1 * S)
    inside = cv2.distanceTransform(person_there.astype(np.uint8), cv2.DIST_L2, 3)
    shade = forearms & is_skin(lab, skin) & (inside > 1) & (inside < 0.03 * S)
    assert shade.sum() > 100
    deep = np.array([[[skin[0] * 0.5, skin[1] * 0.65, skin[2] * 0.65]]], np.float32)
    pixels[shade] = np.clip(cv2.cvtColor(deep, cv2.COLOR_LAB2RGB)[0, 0] * 255, 0, 255).astype(np.uint8)
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.sleeveless_vest(), "upper", person=pose)
    shade &= rendering.coverage() < 0.05
    out = np.asarray(rendering.image).astype(int)
    stayed = (np.abs(out[shade] - pixels[shade]).max(axis=1) < 12).mean()
    assert stayed > 0.8, f"only {stayed:.0%} of the forearms' shaded sides stayed"


def test_skin_coloured_old_sleeves_ending_at_cuffs_are_not_arms(person):
    """A bomber's tan leather sleeves pass the skin test, and under a sleeveless top they stayed as
    arms. Their knitted cuffs do not pass it: an arm that ends at a cuff above a bare hand is a
    sleeve. Painted here: flat tan sleeves from the shoulders to dark cuffs at the wrists. The
    fixture's right hand (on the photo's left) shows below its cuff; the left one is in a pocket,
    so that arm cannot be told from a bare arm with a wide watch strap, and stays."""
    pose, pixels, person_there = _to_paint(person)
    S = pose.shoulder_width
    sleeves = {}
    for side, (shoulder, elbow, wrist) in ARMS.items():
        top, bend, end = pose.point(shoulder), pose.point(elbow), pose.point(wrist)
        cuff_top = end + (bend - end) * 0.15
        sleeves[side] = capsule_mask(person_there.shape, [top, bend, cuff_top], 0.1 * S) & person_there
        cuff = capsule_mask(person_there.shape, [cuff_top, end], 0.09 * S) & person_there & ~sleeves[side]
        pixels[sleeves[side]] = LEATHER
        pixels[cuff] = (25, 25, 30)
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.sleeveless_vest(), "upper", person=pose)
    out = np.asarray(rendering.image).astype(int)
    stayed = {}
    for side, sleeve in sleeves.items():
        bared = cv2.erode((sleeve & (rendering.coverage() < 0.05)).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        assert bared.sum() > 300
        # Left as it was, the painted sleeve is one flat colour; skin filled in has grain and light.
        stayed[side] = (np.abs(out[bared] - LEATHER).max(axis=1) < 4).mean()
    assert stayed["right"] < 0.2, f"{stayed['right']:.0%} of the right tan sleeve stayed as an arm"


def _streaks(shape, where: np.ndarray, spacing: int, length: int, seed: int) -> np.ndarray:
    """Thin lines (2 px) over ``where``, about ``spacing`` px apart, each ``length`` px long at a
    random slant: a leather sleeve's creases catching the light."""
    rng = np.random.default_rng(seed)
    lines = np.zeros(shape, np.uint8)
    ys, xs = np.nonzero(where)
    for i in rng.choice(len(ys), size=max(1, len(ys) // (spacing * length)), replace=False):
        angle = rng.uniform(-0.6, 0.6) + np.pi / 2
        dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
        cv2.line(lines, (int(xs[i] - dx), int(ys[i] - dy)), (int(xs[i] + dx), int(ys[i] + dy)), 1, 2)
    return (lines > 0) & where


def test_skin_coloured_old_sleeves_that_shine_are_not_arms(person):
    """A brown leather jacket is the colour of skin, and its sleeves have no cuffs to give them
    away: they stayed as arms beside a new cami, and its body around it as bare skin. Where leather
    is lightest, its creases catch the light in thin, pale streaks; skin is lightest in broad
    highlights. Painted here: tan sleeves with pale creases from the shoulders to the wrists."""
    pose, pixels, person_there = _to_paint(person)
    S = pose.shoulder_width
    sleeves = {}
    for side, (shoulder, elbow, wrist) in ARMS.items():
        arm = [pose.point(shoulder), pose.point(elbow), pose.point(wrist)]
        sleeves[side] = capsule_mask(person_there.shape, arm, 0.1 * S) & person_there
        pixels[sleeves[side]] = LEATHER
        pixels[_streaks(person_there.shape, sleeves[side], 24, 14, seed=len(side))] = LEATHER_CREASE
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.sleeveless_vest(), "upper", person=pose)
    out = np.asarray(rendering.image).astype(int)
    for side, sleeve in sleeves.items():
        bared = cv2.erode((sleeve & (rendering.coverage() < 0.05)).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        bared &= ~_near_the_hands(rendering.body)
        assert bared.sum() > 300
        # Left as it was, the leather is its flat tan between the streaks; skin filled in has grain and light.
        stayed = (np.abs(out[bared] - LEATHER).max(axis=1) < 4).mean()
        assert stayed < 0.2, f"{stayed:.0%} of the {side} leather sleeve stayed as an arm"


def test_an_open_leather_jackets_front_below_a_crop_top_is_not_the_backdrop(person):
    """Below a new crop top, the body down to the old top's end is the midriff. Where that end is
    not seen (a printed top), the midriff is what has the top's colour; an open leather jacket's
    front panels beside it have the skin's, and went to the backdrop: white strips across the
    body. Painted here: the old tee's middle as a fine print, its sides and sleeves, down to the
    wrists, as tan leather with pale creases."""
    body = render_tryon_detailed(person, drawing.crop_top(), "upper").body
    S, T = body.shoulder_width, body.torso_length
    pixels = np.asarray(person).copy()
    across = np.abs(_across_map(body) - body.centre_across(_down_map(body)))
    tee = _greenish(pixels.astype(int)) & (body.mask > 0.5)
    jacket = tee & (across > 0.26 * S)
    for side in ("left", "right"):
        arm = body.limb(side, ("shoulder", "elbow", "wrist"))
        jacket |= capsule_mask(jacket.shape, arm, 0.1 * S) & (body.mask > 0.3)
    ys, xs = np.mgrid[0 : pixels.shape[0], 0 : pixels.shape[1]]
    light = (ys // 3 + xs // 3) % 2 == 0
    pixels[tee & ~jacket & light], pixels[tee & ~jacket & ~light] = (240, 240, 240), (30, 30, 40)
    pixels[jacket] = LEATHER
    pixels[_streaks(jacket.shape, jacket, 24, 14, seed=5)] = LEATHER_CREASE
    rendering = render_tryon_detailed(Image.fromarray(pixels), drawing.crop_top(), "upper")
    out = np.asarray(rendering.image).astype(int)
    below = _down_map(rendering.body) > _lowest(rendering) + 0.02 * T
    bared = jacket & below & (rendering.coverage() < 0.05) & (across < 0.35 * S)
    assert bared.sum() > 300, "the crop top bares none of the jacket's front"
    backdrop = (out[bared].min(axis=1) > 200).mean()
    assert backdrop < 0.1, f"{backdrop:.0%} of the jacket's front below the crop top went to the backdrop"


def test_a_short_sleeve_reaches_over_an_old_one_ending_a_little_lower(person):
    """The man's tee sleeves end two thirds of the way down his upper arms; a short sleeve's
    class puts the new one's end just under halfway. The band of old sleeve between was filled
    as skin, in the old sleeve's wider outline: a flat, stepped patch below the new hem. The new
    sleeve now reaches on over the old one."""
    rendering = render_tryon_detailed(person, drawing.tee(), "upper")
    body = rendering.body
    S = body.shoulder_width
    out = np.asarray(rendering.image).astype(int)
    red, green, blue = out[..., 0], out[..., 1], out[..., 2]
    # The drawn tee's red, and its yellow spots.
    tee = (red > 120) & (red - blue > 80) & ((red - green > 70) | (green > 150))
    for side in ("left", "right"):
        top, elbow = body.shoulder_top(side), body.point(side, "elbow")
        # The arm's core just above where the old sleeve ended.
        band = capsule_mask(body.shape, [top + 0.5 * (elbow - top), top + 0.6 * (elbow - top)], 0.04 * S)
        assert band.sum() > 200
        # Under a tenth of it was the new tee before (skin filled the rest), all of it now.
        assert tee[band].mean() > 0.8, (side, tee[band].mean())


def test_an_old_tee_worn_out_stays_over_new_trousers(person):
    """The man's tee hangs loose to his hips. New trousers with a higher rise were put on top of
    it: their waistband covered the tee's lower third as a flat band. A tee worn out is worn out
    over new trousers too, whose waistband goes under it."""
    rendering = render_tryon_detailed(person, drawing.trousers(), "lower")
    body = rendering.body
    S, T = body.shoulder_width, body.torso_length
    photo = np.asarray(person.resize(rendering.image.size)).astype(int)
    out = np.asarray(rendering.image).astype(int)
    x0, x1 = int(body.origin[0] - 0.15 * S), int(body.origin[0] + 0.15 * S)
    rows = np.nonzero(_greenish(photo[:, x0:x1]).mean(axis=1) > 0.8)[0]
    tee_hem = int(rows.max())
    waistband = int(_centre_row(body, rendering.placed[0].top_down))
    assert tee_hem - waistband > 0.1 * T, "the test needs the new waistband well above the tee's hem"
    band = out[waistband + 2 : tee_hem - 2, x0:x1]
    assert _greenish(band).mean() > 0.9, f"only {_greenish(band).mean():.0%} of the tee over the waistband stayed"
    # Below the tee's hem, the new trousers.
    below = out[tee_hem + int(0.05 * T) : tee_hem + int(0.15 * T), x0:x1]
    assert _greenish(below).mean() < 0.05


def _centre_row(body, down: float) -> float:
    """The row of the body's centre line ``down`` along the torso axis."""
    return float((body.origin + body.v * down)[1])


def test_no_rim_of_old_trousers_beside_legs_bared_to_the_outline(person):
    """The person's outline stops inside slim old trousers' soft edge. Where the legs are bared as
    skin right up to that outline, nothing cleared the edge beyond it: a thin strip of the old
    trousers stayed down each bared leg's side. Here the fixture's trousers are repainted as slim
    blue ones, as wide as the legs, with a soft edge."""
    pose = analyse_person(person)
    T = pose.torso_length
    photo = np.asarray(person).copy()
    hips = (pose.point(LEFT_HIP) + pose.point(RIGHT_HIP)) / 2
    below_hips = np.arange(photo.shape[0])[:, None] > hips[1] + 0.1 * T
    legs = np.zeros(photo.shape[:2], bool)
    for hip, knee, ankle in ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE), (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE)):
        legs |= capsule_mask(photo.shape[:2], [pose.point(hip), pose.point(knee), pose.point(ankle)], 0.09 * T)
    trousers = below_hips & (pose.person_mask > 0.5) & (photo.max(axis=2) < 90)
    photo[trousers] = (246, 246, 246)
    alpha = cv2.GaussianBlur((trousers & legs).astype(np.float32), (0, 0), 2)[..., None]
    near = below_hips & (cv2.dilate(trousers.astype(np.uint8), np.ones((15, 15), np.uint8)) > 0)
    slim = (1 - alpha) * photo + alpha * np.array([40, 70, 190])
    photo = np.where(near[..., None], slim, photo).astype(np.uint8)
    rendering = render_tryon_detailed(Image.fromarray(photo), drawing.shorts(), "lower")
    knees = max(pose.point(LEFT_KNEE)[1], pose.point(RIGHT_KNEE)[1])
    ankles = min(pose.point(LEFT_ANKLE)[1], pose.point(RIGHT_ANKLE)[1])
    shins = np.zeros(photo.shape[:2], bool)
    shins[int(knees - 0.3 * T) : int(ankles - 0.1 * T)] = True
    outline = cv2.resize(rendering.body.mask, person.size) > 0.5
    beyond = shins & ~outline & (cv2.dilate(outline.astype(np.uint8), np.ones((15, 15), np.uint8)) > 0)

    def bluish(pixels):
        return (pixels[..., 2] - pixels[..., 1] > 20) & (pixels[..., 2] - pixels[..., 0] > 30)

    assert bluish(photo.astype(int))[beyond].sum() > 500, "the test needs the old trousers' edge beyond the outline"
    out = np.asarray(rendering.image.resize(person.size)).astype(int)
    # 197 before.
    assert bluish(out)[beyond].sum() < 20, f"{bluish(out)[beyond].sum()} pixels of the old trousers' edge stay"


def test_a_waistband_dipping_in_the_middle_still_reaches_its_line(person):
    """Laid flat, a waistband's corners often stand higher than its middle. Placed by its corners,
    the middle sat below the line the waistband was placed at, and the old clothes between went
    to the backdrop: a white band between the old top and the new shorts. Here the drawn shorts'
    waistband dips by 3% of the photo's height in its middle, and the man's tee is tucked into his
    trousers (worn loose, it would hang over the shorts' waistband)."""
    photo = drawing.shorts()
    w, h = photo.size
    ImageDraw.Draw(photo).ellipse([0.3 * w, 0.27 * h, 0.7 * w, 0.33 * h], fill=drawing.BACKDROP)
    tucked = person.copy()
    pose = analyse_person(tucked)
    hips = (pose.point(LEFT_HIP) + pose.point(RIGHT_HIP)) / 2
    half, T = 0.9 * float(np.linalg.norm(pose.point(LEFT_HIP) - pose.point(RIGHT_HIP))), pose.torso_length
    ImageDraw.Draw(tucked).rectangle([hips[0] - half, hips[1] - 0.12 * T, hips[0] + half, hips[1]], fill=(25, 25, 45))
    rendering = render_tryon_detailed(tucked, photo, "lower")
    body = rendering.body
    bottom = rendering.placed[0]
    solid = bottom.alpha(body.shape) > 0.5
    centre = int(round(float((body.origin + body.v * bottom.top_down)[0])))
    top_edge = int(np.argmax(solid[:, centre]))
    gap = top_edge - _centre_row(body, bottom.top_down)
    # 20 px below it before (0.06 of the torso).
    assert abs(gap) < 0.015 * body.torso_length, f"the waistband's middle is {gap:.0f} px below its line"


def test_a_grey_old_top_joined_to_brown_hair_is_not_a_lock_of_it():
    """Dark pixels joined to the hair on the head are hair, kept as they are: a dark old top
    touching long hair passed for a lock of it and stayed, strips of an old black dress beside
    the neck inside a new V neckline. Brown hair is brown all through; a grey beside it is not
    hair. Here a long brown lock is painted down the man's face to his shoulder, a dark grey
    piece of old top joined to its end."""
    person = Image.open(FIXTURES / "person_man_upper_tee.jpg").convert("RGB")
    draw = ImageDraw.Draw(person)
    draw.rectangle([200, 95, 235, 330], fill=(72, 46, 28))
    draw.rectangle([200, 330, 235, 420], fill=(58, 58, 62))
    rendering = render_tryon_detailed(person, drawing.cami(), "upper")
    out = np.asarray(rendering.image.resize(person.size)).astype(int)
    grey = np.abs(out[340:410, 203:232] - 60).max(axis=2) < 25
    lock = np.abs(out[150:300, 203:232] - np.array([72, 46, 28])).max(axis=2) < 30
    # 23% of the grey stayed before.
    assert grey.mean() < 0.02, f"{grey.mean():.0%} of the old grey top stays beside the lock"
    assert lock.mean() > 0.8, "the lock of hair was repainted"


def test_a_hanging_sleeves_outer_edge_stays_on_the_outside_of_the_arm(person):
    """A long sleeve shot hanging down the body's side has its outer edge away from the body and
    its underarm edge against it; worn, they stay so. Turned by which way its armhole seam leans,
    the sleeve went on mirrored: a band down its outer edge lay 0.17 of the shoulders' width nearer
    the body than the sleeve's middle, and in the bench the backdrop's shadow along a flannel
    sleeve's outer edge lay between the sleeve and the body as a grey gap."""
    tee = drawing.long_sleeve_tee(colour=(200, 40, 40), print_colour=(200, 40, 40))
    w, h = tee.size
    cx = w / 2
    piping = ImageDraw.Draw(tee)
    for sign in (-1, 1):
        # A yellow band down each sleeve's outer edge, from the armpit's height to above the cuff.
        outer = [(cx + sign * 0.32 * w, 0.30 * h), (cx + sign * 0.355 * w, 0.68 * h)]
        piping.polygon([*outer, *[(x - sign * 0.035 * w, y) for x, y in reversed(outer)]], fill=(240, 220, 30))
    rendering = render_tryon_detailed(person, tee, "upper")
    body = rendering.body
    S = body.shoulder_width
    h, w = body.shape
    columns = np.arange(w)[None, :]
    for layer in rendering.placed[0].layers:
        if layer.role != "sleeve":
            continue
        x0, y0, x1, y1 = layer.box
        side = "left" if (x0 + x1) / 2 < body.origin[0] else "right"
        elbow, wrist = body.point(side, "elbow"), body.point(side, "wrist")
        rows = np.arange(y0, y1)[:, None]
        forearm = (rows >= elbow[1]) & (rows <= elbow[1] + 0.6 * (wrist[1] - elbow[1]))
        rgb, solid = layer.rgba[..., :3], layer.rgba[..., 3] > 0.9
        yellow = solid & forearm & (rgb[..., 1] > 0.6) & (rgb[..., 2] < 0.4)
        red = solid & forearm & (rgb[..., 1] < 0.4)
        assert yellow.sum() > 0.002 * S**2, side
        # How far out from the body's middle: the yellow band lies beyond the sleeve's red.
        out = np.abs(columns[:, x0:x1] - body.origin[0]) * np.ones_like(solid)
        assert np.median(out[yellow]) > np.median(out[red]) + 0.02 * S, side


def test_a_long_sleeve_over_a_baggy_old_sleeve_narrows_to_the_bare_forearm(person):
    """A new long sleeve covers a baggy old sleeve round the upper arm (a blouse's, rolled up to the
    elbow), then follows the bare forearm in: tapered from the upper arm's width alone, it stayed
    nearly as wide as the old sleeve down to the wrist, a stiff tube standing up to 0.11 of the
    shoulders' width off the lower forearm (0.06 at the 95th percentile; 0.03 now)."""
    pose = analyse_person(person)
    S = pose.shoulder_width
    pixels = np.asarray(person).copy()
    baggy = np.zeros(pixels.shape[:2], bool)
    for shoulder, elbow, _wrist in ARMS.values():
        baggy |= capsule_mask(baggy.shape, [pose.point(shoulder), pose.point(elbow)], 0.24 * S)
    pixels[baggy] = (235, 235, 230)
    mask = np.maximum(pose.person_mask, baggy.astype(np.float32))
    rendering = render_tryon_detailed(
        Image.fromarray(pixels), drawing.long_sleeve_tee(), "upper", person=dataclasses.replace(pose, person_mask=mask)
    )
    for side in ("left", "right"):
        # Off the person as the photo shows it without the old sleeves: the forearm's own outline.
        area, off = _sleeve_off_the_forearm(rendering, pose.person_mask, side, 0.5, 1.0)
        assert area > 0.02 * S**2, side
        assert np.percentile(off, 95) < 0.04, (side, np.percentile(off, 95))


def test_a_pieces_outer_edge_is_the_garments_smooth_cut_not_the_part_maps_blocks():
    """The parts (body, sleeves) are labelled at the analysis size and scaled up blocky; the cut's
    mask is smooth. A piece's alpha was the mask times its blurred blocks, so wherever its edge was
    the garment's own (a shoulder, a hem), the blocks cut a staircase into it. Away from the other
    pieces, a piece's alpha is the mask's."""
    from tryon.engine.garment import extract_garment
    from tryon.engine.placement import _part_source, _prepare

    garment = extract_garment(drawing.tee(size=(768, 1024)))  # analysed at a third of its size
    part, _ = _part_source(_prepare(garment), garment, (1,))
    others = np.isin(garment.parts, (2, 3)).astype(np.uint8)
    away = cv2.dilate(others, np.ones((25, 25), np.uint8)) == 0
    cut = (garment.mask > 0.5).astype(np.uint8)
    edge = (cv2.dilate(cut, np.ones((7, 7), np.uint8)) > cv2.erode(cut, np.ones((7, 7), np.uint8))) & away
    assert edge.sum() > 500
    step = np.abs(part[..., 3] - garment.mask)[edge]
    assert np.percentile(step, 99) < 0.05, f"the piece's edge is off the cut by up to {step.max():.2f}"


def test_a_new_sleeve_follows_a_bulky_old_sleeve_only_as_far_as_an_arm_reaches(person):
    """A long sleeve follows the old sleeve's outline over the shoulder and down the upper arm
    (narrower, it left the old sleeve showing), but a padded jacket's sleeve stands far off the
    arm: a new shirt's sleeves drawn out to it were boxy, puffed tubes. Here the man's arms get
    sleeves 0.3 of his shoulder width out from each arm's line."""
    from tryon.engine.body import body_from
    from tryon.engine.images import fit_within
    from tryon.engine.placement import _shoulder_cap, _upper_arm_half_width

    image = fit_within(person, 1024)
    body = body_from(analyse_person(image), image.size)
    S = body.shoulder_width
    mask = body.mask.copy()
    for side in ("left", "right"):
        mask[capsule_mask(body.shape, body.limb(side, ("shoulder", "elbow", "wrist")), 0.3 * S)] = 1.0
    bulky = dataclasses.replace(body, mask=mask)
    for side in ("left", "right"):
        arm = bulky.limb(side, ("shoulder", "elbow", "wrist"))
        outward = -bulky.u if side == "left" else bulky.u
        # A broad deltoid reaches 0.22 of the shoulder width out from the arm's line.
        assert _upper_arm_half_width(bulky, arm, outward) <= 0.22 * S + 0.5
        assert _shoulder_cap(bulky, arm, outward)[1].max() <= 0.22 * S + 0.5
