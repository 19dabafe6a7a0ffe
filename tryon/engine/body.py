"""Body geometry for the renderer, built on the person analysis.

Everything is named by the *image* side (``left`` = image left), the same
convention as the garment keypoints: a garment photographed from the front
and a person facing the camera then match left to left.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .person import PersonAnalysis

# The waist: narrower than the line from chest to hips by WAIST_IN, at WAIST_AT of the torso
# (shoulders to hips), over about WAIST_SPREAD of it.
WAIST_IN = 0.12
WAIST_AT = 0.75
WAIST_SPREAD = 0.25
# The outline above a shoulder landmark is at most SHOULDER_RISE_MAX shoulder widths up (a sloping,
# muscular shoulder's reaches 0.2); further is hair or the neck. SHOULDER_RISE is a typical rise
# (0.15 is the median over the dev set's people).
SHOULDER_RISE_MAX = 0.24
SHOULDER_RISE = 0.14
# ... and one shoulder's rise at most this much more than the other's.
SHOULDER_RISE_APART = 0.04

# mediapipe Pose indices of the subject's own left / right side.
_SUBJECT_LEFT = {
    "shoulder": 11,
    "elbow": 13,
    "wrist": 15,
    "pinky": 17,
    "index": 19,
    "thumb": 21,
    "hip": 23,
    "knee": 25,
    "ankle": 27,
    "heel": 29,
    "foot": 31,
}
_SUBJECT_RIGHT = {
    "shoulder": 12,
    "elbow": 14,
    "wrist": 16,
    "pinky": 18,
    "index": 20,
    "thumb": 22,
    "hip": 24,
    "knee": 26,
    "ankle": 28,
    "heel": 30,
    "foot": 32,
}
NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR, MOUTH_LEFT, MOUTH_RIGHT = 0, 2, 5, 7, 8, 9, 10

# Landmarks below this visibility are guessed from the others.
SEEN = 0.5
# The person mask's threshold for "this pixel is the person".
INSIDE = 0.5


@dataclass
class Body:
    """Landmarks, mask and torso frame of the main person, in output pixels."""

    landmarks: np.ndarray  # (33, 4) x, y, z, visibility
    mask: np.ndarray  # (H, W) float32 0..1
    sides: dict[str, dict[str, int]]  # "left"/"right" (image side) -> part -> landmark index
    shoulder_width: float
    torso_length: float
    origin: np.ndarray  # shoulder centre
    hip_centre: np.ndarray
    u: np.ndarray  # unit vector across the shoulders, towards the image right
    v: np.ndarray  # unit vector down the torso

    @property
    def shape(self) -> tuple[int, int]:
        return self.mask.shape

    def point(self, side: str, part: str) -> np.ndarray:
        return self.landmarks[self.sides[side][part], :2].astype(np.float64)

    def seen(self, side: str, part: str) -> bool:
        x, y, _, visibility = self.landmarks[self.sides[side][part]]
        h, w = self.shape
        return bool(visibility > SEEN and -0.05 * w <= x < 1.05 * w and -0.05 * h <= y < 1.05 * h)

    def frame(self, across: float, down: float) -> np.ndarray:
        """Point at ``across`` along u and ``down`` along v from the shoulder centre."""
        return self.origin + self.u * across + self.v * down

    def inside(self, points: np.ndarray) -> np.ndarray:
        """Mask value > INSIDE at (N, 2) points; outside the image counts as outside."""
        h, w = self.shape
        xi = np.round(points[:, 0]).astype(int)
        yi = np.round(points[:, 1]).astype(int)
        ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        result = np.zeros(len(points), bool)
        result[ok] = self.mask[yi[ok], xi[ok]] > INSIDE
        return result

    def expected_half_width(self, down: float) -> float:
        """Rough half-width of the torso/hips at ``down`` from the landmarks alone."""
        shoulder = 0.5 * self.shoulder_width
        hips = 0.5 * float(np.linalg.norm(self.point("left", "hip") - self.point("right", "hip")))
        hips = max(hips * 1.55, 0.8 * shoulder)
        f = float(np.clip(down / self.torso_length, 0.0, 1.3))
        chest = 0.95 * shoulder
        return chest + (hips - chest) * min(f, 1.0)

    def centre_across(self, down: np.ndarray) -> np.ndarray:
        """Where (along u) the torso's centre line is at each ``down``: it runs from the neck to
        the hips' centre, which a leaning body puts to one side."""
        return np.clip(down / self.torso_length, 0, 1.3) * float((self.hip_centre - self.origin) @ self.u)

    def bare_half_width(self, down: np.ndarray) -> np.ndarray:
        """The bare torso's half width at each ``down``: the landmarks' line from chest to hips
        (``expected_half_width``), drawn in at the waist, as a body is under its clothes."""
        T = self.torso_length
        heights = np.linspace(0, 1.3 * T, 27)
        half = np.interp(down, heights, [self.expected_half_width(d) for d in heights])
        waist = np.exp(-(((down / T - WAIST_AT) / WAIST_SPREAD) ** 2))
        return half * (1 - WAIST_IN * waist)

    def half_widths(self, down: float) -> tuple[float, float]:
        """Distance from the torso's centre line to its left and right edge at ``down``.

        Measured on the person mask along u; where an arm touching the body
        merges with it (the run is much wider than the landmarks suggest), the
        landmark estimate is used instead.
        """
        f = down / self.torso_length
        centre = self.origin + (self.hip_centre - self.origin) * f
        expected = self.expected_half_width(down)
        reach = 1.6 * expected
        steps = np.arange(0.0, reach, 1.0)
        result = []
        for sign, side in ((-1.0, "left"), (1.0, "right")):
            pts = centre[None, :] + sign * self.u[None, :] * steps[:, None]
            inside = self.inside(pts)
            outside = np.nonzero(~inside)[0]
            measured = float(steps[outside[0]]) if len(outside) else reach
            if measured >= 1.3 * expected:
                measured = expected
            # An arm hanging against the side merges with the torso in the
            # mask; the torso ends about where the arm's inner edge is.
            arm = self._arm_across(side, down, centre)
            if arm is not None and 0.75 * expected < arm - 0.07 * self.shoulder_width < measured:
                measured = arm - 0.07 * self.shoulder_width
            result.append(max(measured, 0.7 * expected))
        return result[0], result[1]

    def _arm_across(self, side: str, down: float, centre: np.ndarray) -> float | None:
        """How far the arm's centre line is from ``centre`` (along u) at ``down``, if it passes there."""
        arm = self.limb(side, ("shoulder", "elbow", "wrist"))
        downs = [float(np.dot(p - self.origin, self.v)) for p in arm]
        for a, b, da, db in zip(arm[:-1], arm[1:], downs[:-1], downs[1:], strict=False):
            if da <= down <= db and db - da > 1e-6:
                point = a + (b - a) * ((down - da) / (db - da))
                return abs(float(np.dot(point - centre, self.u)))
        return None

    def shoulder_top(self, side: str) -> np.ndarray:
        """The top of the shoulder's outline above the shoulder landmark.

        Facing the camera, both shoulders rise about as far above their joints: where one
        outline is further up than the other's (hair lying on that shoulder) or out of reach,
        the other shoulder's rise stands in, and with neither found a typical one.
        """
        S = self.shoulder_width
        rise = self._shoulder_rise(side)
        other = self._shoulder_rise("right" if side == "left" else "left")
        if rise is None or (other is not None and rise > other + SHOULDER_RISE_APART * S):
            rise = other
        if rise is None:
            rise = SHOULDER_RISE * S
        return self.point(side, "shoulder") - self.v * max(rise, 0.04 * S)

    def _shoulder_rise(self, side: str) -> float | None:
        """How far the outline is above the shoulder landmark, or None if further than a shoulder rises."""
        start = self.point(side, "shoulder")
        steps = np.arange(0.0, SHOULDER_RISE_MAX * self.shoulder_width, 1.0)
        pts = start[None, :] - self.v[None, :] * steps[:, None]
        outside = np.nonzero(~self.inside(pts))[0]
        return float(steps[outside[0]]) if len(outside) else None

    def outline_above(self, point: np.ndarray, limit: float) -> np.ndarray | None:
        """The person's outline straight above ``point`` (along -v), or None past ``limit``."""
        return self.outline_towards(point, -self.v, limit)

    def outline_towards(self, point: np.ndarray, direction: np.ndarray, limit: float) -> np.ndarray | None:
        """Where the person's outline is, going from ``point`` along unit ``direction``; None past ``limit``."""
        steps = np.arange(0.0, limit, 1.0)
        pts = point[None, :] + direction[None, :] * steps[:, None]
        outside = np.nonzero(~self.inside(pts))[0]
        if not len(outside):
            return None
        return point + direction * float(steps[outside[0]])

    def limb(self, side: str, parts: tuple[str, ...]) -> list[np.ndarray]:
        """Landmark polyline of an arm or leg; unseen joints continue the seen ones."""
        points = [self.point(side, parts[0])]
        default = self.v * (0.45 * self.torso_length)
        for part in parts[1:]:
            if self.seen(side, part):
                points.append(self.point(side, part))
            else:
                previous = points[-1] - points[-2] if len(points) > 1 else default
                points.append(points[-1] + previous)
        return points

    def face(self) -> tuple[np.ndarray, float, float] | None:
        """Head centre, half-width and chin height, when the face is in the frame."""
        lm = self.landmarks
        h, w = self.shape
        ids = [NOSE, LEFT_EYE, RIGHT_EYE, MOUTH_LEFT, MOUTH_RIGHT]
        pts = lm[ids, :2]
        if (pts[:, 1] < 0).any() or (pts[:, 0] < 0).any() or (pts[:, 0] >= w).any():
            return None
        eyes_y = float((lm[LEFT_EYE, 1] + lm[RIGHT_EYE, 1]) / 2)
        mouth_y = float((lm[MOUTH_LEFT, 1] + lm[MOUTH_RIGHT, 1]) / 2)
        chin = mouth_y + 0.9 * max(mouth_y - eyes_y, 0.02 * h)
        ears = abs(float(lm[LEFT_EAR, 0] - lm[RIGHT_EAR, 0]))
        half = max(0.75 * ears, 0.3 * self.shoulder_width)
        centre = lm[[NOSE, LEFT_EYE, RIGHT_EYE], :2].mean(axis=0).astype(np.float64)
        return centre, half, chin


def body_from(person: PersonAnalysis, size: tuple[int, int]) -> Body:
    """Scale the person analysis to the output ``size`` (width, height)."""
    width, height = size
    sx, sy = width / person.width, height / person.height
    landmarks = person.landmarks.astype(np.float64).copy()
    landmarks[:, 0] *= sx
    landmarks[:, 1] *= sy
    mask = person.person_mask.astype(np.float32)
    if mask.shape != (height, width):
        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
    # Image left is the subject's right for a person facing us; decide by the
    # shoulders so a mirrored or back-view photo still pairs sides correctly.
    if landmarks[12, 0] <= landmarks[11, 0]:
        sides = {"left": _SUBJECT_RIGHT, "right": _SUBJECT_LEFT}
    else:
        sides = {"left": _SUBJECT_LEFT, "right": _SUBJECT_RIGHT}
    shoulder_l = landmarks[sides["left"]["shoulder"], :2]
    shoulder_r = landmarks[sides["right"]["shoulder"], :2]
    hip_l = landmarks[sides["left"]["hip"], :2]
    hip_r = landmarks[sides["right"]["hip"], :2]
    origin = (shoulder_l + shoulder_r) / 2
    hip_centre = (hip_l + hip_r) / 2
    down = hip_centre - origin
    torso_length = max(float(np.linalg.norm(down)), 1.0)
    v = down / torso_length
    u = np.array([-v[1], v[0]])
    if np.dot(u, shoulder_r - shoulder_l) < 0:
        u = -u
    shoulder_width = max(float(np.linalg.norm(shoulder_r - shoulder_l)), 0.2 * torso_length)
    return Body(
        landmarks=landmarks,
        mask=mask,
        sides=sides,
        shoulder_width=shoulder_width,
        torso_length=torso_length,
        origin=origin,
        hip_centre=hip_centre,
        u=u,
        v=v,
    )
