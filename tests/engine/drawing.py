"""Garment product photos drawn in code for the engine tests.

Each maker returns a flat-lay garment with a simple print, on a near-white
backdrop with a soft drop shadow, the way shops photograph clothes. The
silhouettes are drawn so the clothes check must classify them by type:
a T-shirt (upper), trousers with a leg gap (lower) and a long dress (full),
and the shapes that look alike in outline: a mini skirt, a long flared skirt
and shorts (a straight waistband on top) against a sleeveless vest and a crop top (armholes, a
neckline), a knee dress against a long top.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

BACKDROP = (246, 246, 244)
SIZE = (600, 800)


def _shoot(
    outline: list[tuple[float, float]],
    colour,
    print_colour,
    size=SIZE,
    holes=(),
    side_shadow: bool = False,
    backdrop=BACKDROP,
) -> Image.Image:
    """Backdrop + blurred shadow + the filled outline + a dotted print inside it.

    ``side_shadow``: a light from the right also casts a deeper, narrow shadow
    down the garment's left side, as in many studio shots.
    """
    width, height = size
    image = Image.new("RGB", size, backdrop)
    shadow = Image.new("L", size, 0)
    ImageDraw.Draw(shadow).polygon([(x + 8, y + 10) for x, y in outline], fill=70)
    shadow = shadow.filter(ImageFilter.GaussianBlur(12))
    image.paste(Image.new("RGB", size, (200, 200, 198)), mask=shadow)
    if side_shadow:
        side = Image.new("L", size, 0)
        ImageDraw.Draw(side).polygon([(x - 0.03 * width, y + 4) for x, y in outline], fill=255)
        side = side.filter(ImageFilter.GaussianBlur(0.012 * width))
        image.paste(Image.new("RGB", size, (168, 168, 166)), mask=side)
    garment = Image.new("L", size, 0)
    draw = ImageDraw.Draw(garment)
    draw.polygon(outline, fill=255)
    for hole in holes:
        draw.polygon(hole, fill=0)
    cloth = Image.new("RGB", size, colour)
    pattern = ImageDraw.Draw(cloth)
    step = width // 12
    for y in range(step // 2, height, step):
        for x in range((y // step % 2) * step // 2, width, step):
            pattern.ellipse((x - step // 5, y - step // 5, x + step // 5, y + step // 5), fill=print_colour)
    image.paste(cloth, mask=garment)
    return image


def _tee_outline(size, neck: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A short-sleeved T-shirt's outline, clockwise from its ``neck`` (the top edge's four points
    between the shoulders, as shares of the width from the middle and of the height)."""
    w, h = size
    cx = w / 2
    rest = [
        (0.22, 0.19),
        (0.42, 0.33),
        (0.34, 0.43),
        (0.24, 0.37),
        (0.24, 0.80),
        (-0.24, 0.80),
        (-0.24, 0.37),
        (-0.34, 0.43),
        (-0.42, 0.33),
        (-0.22, 0.19),
    ]
    return [(cx + x * w, y * h) for x, y in neck + rest]


def tee(colour=(205, 35, 45), print_colour=(250, 220, 60), size=SIZE) -> Image.Image:
    """A short-sleeved T-shirt, flat, with a crew neck."""
    outline = _tee_outline(size, [(-0.07, 0.16), (-0.04, 0.19), (0.04, 0.19), (0.07, 0.16)])
    return _shoot(outline, colour, print_colour, size)


def v_neck_top(colour=(205, 35, 45), back_colour=(40, 120, 110), size=SIZE) -> Image.Image:
    """A plain T-shirt laid flat with a deep V neck: through the neck opening the inside of its
    back (``back_colour``) shows, down to the V's tip at 0.36 of the height."""
    w, h = size
    cx = w / 2
    outline = _tee_outline(size, [(-0.10, 0.15), (-0.05, 0.175), (0.05, 0.175), (0.10, 0.15)])
    image = _shoot(outline, colour, colour, size)
    inside = Image.new("RGB", size, colour)
    ImageDraw.Draw(inside).polygon(
        [(cx - 0.10 * w, 0.15 * h), (cx + 0.10 * w, 0.15 * h), (cx, 0.36 * h)], fill=back_colour
    )
    # Only on the garment: the top edge between the corners stays the back's own.
    garment = Image.new("L", size, 0)
    ImageDraw.Draw(garment).polygon(outline, fill=255)
    image.paste(inside, mask=garment)
    return image


# The polo's white collar: its right half, crisp and shaded along its edge, and its left half, soft
# (shares of the width from the middle, of the height).
POLO_COLLAR_RIGHT = [(0.0, 0.13), (0.09, 0.13), (0.13, 0.21), (0.01, 0.25), (0.0, 0.20)]
POLO_COLLAR_LEFT = [(0.0, 0.135), (0.0, 0.20), (-0.01, 0.25), (-0.13, 0.21), (-0.11, 0.165)]


def polo_with_white_collar(colour=(50, 90, 200), print_colour=(235, 230, 215), size=SIZE) -> Image.Image:
    """A short-sleeved polo laid flat on a pale grey backdrop, its white collar's flaps lying over
    the neck opening and past the shoulders' line: white on pale grey, as in many shop photos.
    The left flap is soft-edged, as a folded collar often is on its lit side: no line along it."""
    w, h = size
    cx = w / 2
    outline = _tee_outline(size, [(-0.07, 0.16), (-0.04, 0.19), (0.04, 0.19), (0.07, 0.16)])
    image = _shoot(outline, colour, print_colour, size, backdrop=(232, 232, 232))
    white = (246, 245, 241)
    left = Image.new("L", size, 0)
    ImageDraw.Draw(left).polygon([(cx + x * w, y * h) for x, y in POLO_COLLAR_LEFT], fill=255)
    image.paste(Image.new("RGB", size, white), mask=left.filter(ImageFilter.GaussianBlur(3)))
    right = [(cx + x * w, y * h) for x, y in POLO_COLLAR_RIGHT]
    ImageDraw.Draw(image).polygon(right, fill=white, outline=(200, 198, 192))
    return image


def colour_block_tee(colour=(200, 30, 45), band_colour=(248, 248, 248), size=SIZE) -> Image.Image:
    """A red tee with a white band across its body, from 0.22 to 0.355 of the height: the band runs
    a little past the line from shoulder to armpit, into what the outline alone would call sleeve."""
    w, h = size
    cx = w / 2
    outline = _tee_outline(size, [(-0.07, 0.16), (-0.04, 0.19), (0.04, 0.19), (0.07, 0.16)])
    image = _shoot(outline, colour, colour, size)
    band = Image.new("L", size, 0)
    ImageDraw.Draw(band).rectangle(
        (cx - COLOUR_BLOCK_BAND * w, 0.22 * h, cx + COLOUR_BLOCK_BAND * w, 0.355 * h), fill=255
    )
    garment = Image.new("L", size, 0)
    ImageDraw.Draw(garment).polygon(outline, fill=255)
    image.paste(
        Image.new("RGB", size, band_colour), mask=Image.fromarray(np.minimum(np.asarray(band), np.asarray(garment)))
    )
    return image


# Half the colour-block tee's band's width (share of the photo's width).
COLOUR_BLOCK_BAND = 0.255


def blouse(colour=(70, 110, 180), print_colour=(235, 235, 240), size=SIZE) -> Image.Image:
    """A long-sleeved blouse laid out with its sleeves down against the body, cuffs below the hem.

    Sleeves and body make one shape; only below the hem do the two cuffs stand apart.
    """
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.07 * w, 0.10 * h),
        (cx + 0.07 * w, 0.10 * h),
        (cx + 0.20 * w, 0.12 * h),
        (cx + 0.34 * w, 0.30 * h),
        (cx + 0.36 * w, 0.90 * h),
        (cx + 0.22 * w, 0.90 * h),
        (cx + 0.21 * w, 0.75 * h),
        (cx - 0.21 * w, 0.75 * h),
        (cx - 0.22 * w, 0.90 * h),
        (cx - 0.36 * w, 0.90 * h),
        (cx - 0.34 * w, 0.30 * h),
        (cx - 0.20 * w, 0.12 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def shirt_with_parted_sleeves(colour=(110, 140, 190), print_colour=(240, 240, 245), size=SIZE) -> Image.Image:
    """A long-sleeved shirt laid with its sleeves down the body, joined to it down past the
    middle; the forearms part from the body below that and the cuffs end just above the hem.

    The silhouette widens where the forearms part: low down, not at the armpits.
    """
    outline = _parted_sleeves_outline(size, cuff=((0.40, 0.84), (0.30, 0.86)), hem=0.92)
    return _shoot(outline, colour, print_colour, size)


def _parted_sleeves_outline(size, cuff, hem: float) -> list[tuple[float, float]]:
    """A long-sleeved top whose sleeves hang down its sides and part from the body below 0.45 of
    the height: ``cuff`` the right cuff's outer and inner corners (shares of the width from the
    middle, of the height), mirrored on the left; ``hem`` the body's hem (share of the height)."""
    w, h = size
    cx = w / 2
    right = [(0.07, 0.08), (0.20, 0.10), (0.33, 0.28), *cuff, (0.23, 0.45), (0.22, hem)]
    left = [(-x, y) for x, y in reversed(right)]
    return [(cx + x * w, y * h) for x, y in right + left]


def floating_jacket(colour=(190, 30, 35), print_colour=(150, 20, 25), size=SIZE) -> Image.Image:
    """A long-sleeved jacket on an invisible mannequin, floating over its own shadow on a pale grey
    floor: the forearms hang apart from the body, the cuffs end below the hem, and the soft dark
    ellipse under it touches both cuffs but, under the body, lies a little below the hem."""
    w, h = size
    cx = w / 2
    outline = _parted_sleeves_outline(size, cuff=((0.40, 0.93), (0.29, 0.93)), hem=FLOATING_JACKET_HEM)
    backdrop = (232, 232, 232)
    image = Image.new("RGB", size, backdrop)
    floor = Image.new("L", size, 0)
    ImageDraw.Draw(floor).ellipse((cx - 0.42 * w, 0.925 * h, cx + 0.42 * w, 0.985 * h), fill=200)
    image.paste(Image.new("RGB", size, (50, 50, 50)), mask=floor.filter(ImageFilter.GaussianBlur(4)))
    garment = Image.new("L", size, 0)
    ImageDraw.Draw(garment).polygon(outline, fill=255)
    image.paste(_shoot(outline, colour, print_colour, size, backdrop=backdrop), mask=garment)
    return image


# The floating jacket's hem (share of the height): its shadow on the floor lies below it.
FLOATING_JACKET_HEM = 0.90


def open_jacket(colour=(30, 90, 90), print_colour=(230, 230, 230), size=SIZE) -> Image.Image:
    """A jacket on a ghost mannequin, its sleeves inside its outline, the fronts parting below
    the button in an inverted V down to the hem."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.08 * w, 0.05 * h),
        (cx + 0.08 * w, 0.05 * h),
        (cx + 0.30 * w, 0.12 * h),
        (cx + 0.42 * w, 0.25 * h),
        (cx + 0.44 * w, 0.95 * h),
        (cx + 0.16 * w, 0.95 * h),
        (cx, 0.70 * h),
        (cx - 0.16 * w, 0.95 * h),
        (cx - 0.44 * w, 0.95 * h),
        (cx - 0.42 * w, 0.25 * h),
        (cx - 0.30 * w, 0.12 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def jacket_with_sleeves_inside(colour=(40, 60, 110), size=SIZE) -> Image.Image:
    """A plain jacket on a ghost mannequin with its sleeves hanging inside its outline: only
    the seam lines down its sides, where sleeve meets body, show them."""
    w, h = size
    image = open_jacket(colour, colour, size)
    draw = ImageDraw.Draw(image)
    for sign in (-1, 1):
        draw.line([(w / 2 + sign * 0.27 * w, 0.2 * h), (w / 2 + sign * 0.28 * w, 0.9 * h)], fill=(15, 20, 40), width=3)
    return image


def long_sleeve_tee(
    colour=(200, 40, 40), print_colour=(250, 250, 250), size=SIZE, gap: float = 0.0, armpit_shadow: bool = False
) -> Image.Image:
    """A long-sleeve tee laid with its sleeves down the body, the cuffs touching it above the hem.

    The silhouette never parts: below the cuffs only the body goes on, a step narrower. With
    ``gap`` (a share of the height, 0.3 at most) a thin sliver of backdrop that long shows between
    each sleeve and the body, closed off at the armpit and at the cuff. With ``armpit_shadow``
    the sleeve's fold shades each sliver's top to black.
    """
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.08 * w, 0.12 * h),
        (cx, 0.15 * h),
        (cx + 0.08 * w, 0.12 * h),
        (cx + 0.22 * w, 0.15 * h),
        (cx + 0.32 * w, 0.30 * h),
        (cx + 0.36 * w, 0.72 * h),
        (cx + 0.22 * w, 0.73 * h),
        (cx + 0.22 * w, 0.86 * h),
        (cx - 0.22 * w, 0.86 * h),
        (cx - 0.22 * w, 0.73 * h),
        (cx - 0.36 * w, 0.72 * h),
        (cx - 0.32 * w, 0.30 * h),
        (cx - 0.22 * w, 0.15 * h),
    ]
    end = (0.36 + gap) * h
    slivers = [
        [(cx + sign * 0.222 * w, 0.34 * h), (cx + sign * 0.245 * w, 0.36 * h), (cx + sign * 0.228 * w, end)]
        for sign in (-1, 1)
    ]
    image = _shoot(outline, colour, print_colour, size, holes=slivers if gap else ())
    if armpit_shadow:
        draw = ImageDraw.Draw(image)
        for sign in (-1, 1):
            fold = [(0.215, 0.325), (0.25, 0.345), (0.245, 0.365), (0.222, 0.36)]
            draw.polygon([(cx + sign * x * w, y * h) for x, y in fold], fill=(18, 18, 18))
    return image


def top_with_puffed_sleeves(colour=(70, 70, 75), sleeve_colour=(160, 195, 225), size=SIZE) -> Image.Image:
    """A knit vest over a shirt, laid with the shirt's puffed sleeves down its sides.

    The sleeves puff in towards the vest and narrow to cuffs that hang below its hem. The vest
    narrows at the waist and touches the sleeves at its armpits and hem corners, closing off a
    lens of the backdrop beside each side, in the sleeve's shade (a little darker than the backdrop).
    """
    w, h = size
    cx = w / 2
    right = [
        (cx + 0.10 * w, 0.10 * h),
        (cx + 0.25 * w, 0.13 * h),
        (cx + 0.36 * w, 0.35 * h),
        (cx + 0.34 * w, 0.80 * h),
        (cx + 0.25 * w, 0.80 * h),
        (cx + 0.205 * w, 0.66 * h),
    ]
    outline = right + [(2 * cx - x, y) for x, y in reversed(right)]
    image = _shoot(outline, sleeve_colour, sleeve_colour, size)
    draw = ImageDraw.Draw(image)
    for sign in (-1, 1):
        # The vest over the shirt, between the sleeves.
        draw.polygon(
            [
                (cx + sign * 0.10 * w, 0.10 * h),
                (cx + sign * 0.205 * w, 0.27 * h),
                (cx + sign * 0.17 * w, 0.46 * h),
                (cx + sign * 0.205 * w, 0.66 * h),
                (cx, 0.66 * h),
                (cx, 0.10 * h),
            ],
            fill=colour,
        )
        # The gap between the vest's side and the sleeve.
        lens = [(cx + sign * 0.205 * w, 0.28 * h), (cx + sign * 0.175 * w, 0.46 * h), (cx + sign * 0.205 * w, 0.64 * h)]
        draw.polygon(lens, fill=(226, 226, 224))
    return image


def trousers(
    colour=(40, 70, 150), print_colour=(230, 230, 240), size=SIZE, side_shadow: bool = False, gap: float = 0.1
) -> Image.Image:
    """Straight trousers: a waistband, hips, and two legs apart below the crotch.

    The legs part by ``gap`` of the width at the hem, a tenth as trousers laid flat often do; a
    hairline gap is one a cut-out may close (and the shadow falls into it).
    """
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.20 * w, 0.06 * h),
        (cx + 0.20 * w, 0.06 * h),
        (cx + 0.23 * w, 0.30 * h),
        (cx + 0.24 * w, 0.94 * h),
        (cx + gap / 2 * w, 0.94 * h),
        (cx, 0.36 * h),
        (cx - gap / 2 * w, 0.94 * h),
        (cx - 0.24 * w, 0.94 * h),
        (cx - 0.23 * w, 0.30 * h),
    ]
    return _shoot(outline, colour, print_colour, size, side_shadow=side_shadow)


def dress(colour=(30, 140, 80), print_colour=(250, 250, 250), size=SIZE) -> Image.Image:
    """A long dress with straps: a fitted bodice and a flared skirt."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.15 * w, 0.04 * h),
        (cx - 0.11 * w, 0.04 * h),
        (cx - 0.06 * w, 0.16 * h),
        (cx + 0.06 * w, 0.16 * h),
        (cx + 0.11 * w, 0.04 * h),
        (cx + 0.15 * w, 0.04 * h),
        (cx + 0.16 * w, 0.20 * h),
        (cx + 0.12 * w, 0.38 * h),
        (cx + 0.30 * w, 0.96 * h),
        (cx - 0.30 * w, 0.96 * h),
        (cx - 0.12 * w, 0.38 * h),
        (cx - 0.16 * w, 0.20 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def mini_skirt(colour=(60, 80, 140), print_colour=(220, 220, 230), size=SIZE, lining: bool = False) -> Image.Image:
    """An A-line mini skirt: a straight waistband on top, widening to a hem wider than tall.

    ``lining``: its lining (or the shorts of a skort) hangs a little below the hem's middle, as in
    many photos of tiered skirts.
    """
    w, h = size
    cx = w / 2
    below = [(cx + 0.1 * w, 0.68 * h), (cx + 0.1 * w, 0.72 * h), (cx - 0.1 * w, 0.72 * h), (cx - 0.1 * w, 0.68 * h)]
    outline = [
        (cx - 0.26 * w, 0.34 * h),
        (cx + 0.26 * w, 0.34 * h),
        (cx + 0.28 * w, 0.38 * h),
        (cx + 0.36 * w, 0.68 * h),
        *(below if lining else []),
        (cx - 0.36 * w, 0.68 * h),
        (cx - 0.28 * w, 0.38 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def maxi_skirt(colour=(200, 120, 60), print_colour=(250, 240, 200), size=SIZE) -> Image.Image:
    """A long flared skirt: a narrow straight waistband, then panels flaring to a hem four times as wide."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.11 * w, 0.05 * h),
        (cx + 0.11 * w, 0.05 * h),
        (cx + 0.12 * w, 0.09 * h),
        (cx + 0.44 * w, 0.93 * h),
        (cx + 0.20 * w, 0.95 * h),
        (cx, 0.96 * h),
        (cx - 0.20 * w, 0.95 * h),
        (cx - 0.44 * w, 0.93 * h),
        (cx - 0.12 * w, 0.09 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def shorts(
    colour=(110, 140, 90),
    print_colour=(240, 240, 230),
    size=SIZE,
    crotch: float = 0.55,
    gap: float = 0.08,
    touching: float | None = None,
) -> Image.Image:
    """Shorts: a waistband, hips and two short legs apart below a low crotch (at ``crotch`` of the
    photo's height; the waistband is at 0.3, the hems at 0.7), ``gap`` of the width apart at the hems.

    ``touching``: the legs are laid touching instead, the backdrop showing between them only in a
    thin strip from this share of the height down to just above the hems, as knee shorts laid flat
    often are (the cut closes it).
    """
    w, h = size
    cx = w / 2
    if touching is not None:
        crotch, gap = 0.70, 0.0
        strip = [
            (cx - 0.006 * w, touching * h),
            (cx + 0.006 * w, touching * h),
            (cx + 0.006 * w, 0.69 * h),
            (cx - 0.006 * w, 0.69 * h),
        ]
    outline = [
        (cx - 0.24 * w, 0.30 * h),
        (cx + 0.24 * w, 0.30 * h),
        (cx + 0.27 * w, 0.45 * h),
        (cx + 0.31 * w, 0.68 * h),
        (cx + gap / 2 * w, 0.70 * h),
        (cx, crotch * h),
        (cx - gap / 2 * w, 0.70 * h),
        (cx - 0.31 * w, 0.68 * h),
        (cx - 0.27 * w, 0.45 * h),
    ]
    return _shoot(outline, colour, print_colour, size, holes=[strip] if touching is not None else ())


def sleeveless_vest(colour=(150, 150, 155), print_colour=(60, 60, 70), size=SIZE) -> Image.Image:
    """A long sleeveless knit vest: a round neck between shoulder straps, armholes cut in, no sleeves.

    As tall as a skirt is long and nearly as straight; the armholes and the neckline tell it apart.
    """
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.10 * w, 0.12 * h),
        (cx - 0.07 * w, 0.17 * h),
        (cx, 0.19 * h),
        (cx + 0.07 * w, 0.17 * h),
        (cx + 0.10 * w, 0.12 * h),
        (cx + 0.20 * w, 0.13 * h),
        (cx + 0.19 * w, 0.20 * h),
        (cx + 0.21 * w, 0.30 * h),
        (cx + 0.26 * w, 0.33 * h),
        (cx + 0.27 * w, 0.86 * h),
        (cx - 0.27 * w, 0.86 * h),
        (cx - 0.26 * w, 0.33 * h),
        (cx - 0.21 * w, 0.30 * h),
        (cx - 0.19 * w, 0.20 * h),
        (cx - 0.20 * w, 0.13 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def cami(colour=(40, 120, 160), print_colour=(250, 250, 250), size=SIZE) -> Image.Image:
    """A camisole: thin straps over the shoulders, a V neck between them, no sleeves."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.17 * w, 0.10 * h),
        (cx - 0.15 * w, 0.10 * h),
        (cx - 0.15 * w, 0.22 * h),
        (cx, 0.32 * h),
        (cx + 0.15 * w, 0.22 * h),
        (cx + 0.15 * w, 0.10 * h),
        (cx + 0.17 * w, 0.10 * h),
        (cx + 0.19 * w, 0.22 * h),
        (cx + 0.24 * w, 0.26 * h),
        (cx + 0.26 * w, 0.88 * h),
        (cx - 0.26 * w, 0.88 * h),
        (cx - 0.24 * w, 0.26 * h),
        (cx - 0.19 * w, 0.22 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def cami_with_looped_straps(colour=(230, 190, 40), size=SIZE) -> Image.Image:
    """A plain camisole laid flat with each strap as a loop: its front and back run up from the
    cup's edge to meet at the top, the backdrop between them."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.24 * w, 0.30 * h),
        (cx - 0.08 * w, 0.30 * h),
        (cx, 0.38 * h),
        (cx + 0.08 * w, 0.30 * h),
        (cx + 0.24 * w, 0.30 * h),
        (cx + 0.26 * w, 0.88 * h),
        (cx - 0.26 * w, 0.88 * h),
    ]
    image = _shoot(outline, colour, colour, size)
    draw = ImageDraw.Draw(image)
    for sign in (-1, 1):
        apex = (cx + sign * 0.17 * w, 0.08 * h)
        for foot in (0.10, 0.22):
            draw.line([(cx + sign * foot * w, 0.31 * h), apex], fill=colour, width=max(2, round(0.012 * w)))
    return image


def crop_top(colour=(230, 150, 170), print_colour=(255, 255, 255), size=SIZE) -> Image.Image:
    """A cropped top with cap sleeves and a V neck: wider than tall, like a mini skirt."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.14 * w, 0.30 * h),
        (cx, 0.38 * h),
        (cx + 0.14 * w, 0.30 * h),
        (cx + 0.26 * w, 0.32 * h),
        (cx + 0.36 * w, 0.40 * h),
        (cx + 0.30 * w, 0.46 * h),
        (cx + 0.24 * w, 0.43 * h),
        (cx + 0.23 * w, 0.64 * h),
        (cx - 0.23 * w, 0.64 * h),
        (cx - 0.24 * w, 0.43 * h),
        (cx - 0.30 * w, 0.46 * h),
        (cx - 0.36 * w, 0.40 * h),
        (cx - 0.26 * w, 0.32 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def fitted_cap_sleeve_top(colour=(230, 150, 170), print_colour=(255, 255, 255), size=SIZE) -> Image.Image:
    """A fitted top laid with short cap sleeves squared off level with the shoulders: each sleeve's
    top corner, out along the shoulder line, is as far from the armhole as its cuff below it."""
    w, h = size
    cx = w / 2
    right = [
        (cx + 0.10 * w, 0.24 * h),
        (cx + 0.20 * w, 0.25 * h),
        (cx + 0.40 * w, 0.25 * h),
        (cx + 0.34 * w, 0.38 * h),
        (cx + 0.22 * w, 0.42 * h),
        (cx + 0.23 * w, 0.50 * h),
        (cx + 0.19 * w, 0.72 * h),
    ]
    left = [(2 * cx - x, y) for x, y in reversed(right)]
    return _shoot([(cx, 0.30 * h)] + right + left, colour, print_colour, size)


def worn_tee_with_cuffs(colour=(170, 200, 230), cuff_colour=(30, 35, 70), size=SIZE) -> Image.Image:
    """A tee shot on an invisible mannequin: its short sleeves round over the shoulders and hang
    straight down beside the body, each ending in a dark cuff band along its level hem. A sleeve's
    part furthest from its armhole is the hem's outer corner, and the armpit, where the sleeve
    leaves the body's side, is level with the hem."""
    w, h = size
    cx = w / 2
    right = [
        (cx + 0.07 * w, 0.16 * h),
        (cx + 0.20 * w, 0.17 * h),
        (cx + 0.28 * w, 0.20 * h),
        (cx + 0.32 * w, 0.26 * h),
        (cx + 0.33 * w, 0.40 * h),
        (cx + 0.24 * w, 0.41 * h),
        (cx + 0.24 * w, 0.80 * h),
    ]
    left = [(2 * cx - x, y) for x, y in reversed(right)]
    outline = [(cx - 0.04 * w, 0.19 * h), (cx + 0.04 * w, 0.19 * h)] + right + left
    image = _shoot(outline, colour, colour, size)
    # The cuff: a band WORN_CUFF of the height deep along each hem.
    draw = ImageDraw.Draw(image)
    for sign in (1, -1):
        outer, inner = (cx + sign * 0.33 * w, 0.40 * h), (cx + sign * 0.24 * w, 0.41 * h)
        top = WORN_CUFF * h
        draw.polygon([outer, inner, (inner[0], inner[1] - top), (outer[0], outer[1] - top)], fill=cuff_colour)
    return image


# How deep the worn tee's cuff bands are (share of the photo's height).
WORN_CUFF = 0.04


def off_shoulder_top(colour=(40, 120, 160), print_colour=(250, 250, 250), size=SIZE) -> Image.Image:
    """An off-shoulder top: a band across the arms, highest at its ends, dipping to the middle."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.40 * w, 0.26 * h),
        (cx, 0.33 * h),
        (cx + 0.40 * w, 0.26 * h),
        (cx + 0.42 * w, 0.36 * h),
        (cx + 0.30 * w, 0.42 * h),
        (cx + 0.22 * w, 0.40 * h),
        (cx + 0.22 * w, 0.70 * h),
        (cx - 0.22 * w, 0.70 * h),
        (cx - 0.22 * w, 0.40 * h),
        (cx - 0.30 * w, 0.42 * h),
        (cx - 0.42 * w, 0.36 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def knee_dress(colour=(180, 40, 60), print_colour=(250, 240, 240), size=SIZE) -> Image.Image:
    """A short-sleeved knee-length dress: a bodice to the waist, then a skirt flaring to the knee."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.08 * w, 0.06 * h),
        (cx, 0.10 * h),
        (cx + 0.08 * w, 0.06 * h),
        (cx + 0.17 * w, 0.08 * h),
        (cx + 0.28 * w, 0.17 * h),
        (cx + 0.22 * w, 0.22 * h),
        (cx + 0.16 * w, 0.19 * h),
        (cx + 0.15 * w, 0.42 * h),
        (cx + 0.32 * w, 0.92 * h),
        (cx - 0.32 * w, 0.92 * h),
        (cx - 0.15 * w, 0.42 * h),
        (cx - 0.16 * w, 0.19 * h),
        (cx - 0.22 * w, 0.22 * h),
        (cx - 0.28 * w, 0.17 * h),
        (cx - 0.17 * w, 0.08 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def long_sleeve_dress(colour=(90, 60, 150), print_colour=(240, 220, 120), size=SIZE) -> Image.Image:
    """A maxi dress laid with its long sleeves down the bodice: the cuffs end at the hips, then the skirt."""
    w, h = size
    cx = w / 2
    outline = [
        (cx - 0.07 * w, 0.04 * h),
        (cx, 0.07 * h),
        (cx + 0.07 * w, 0.04 * h),
        (cx + 0.16 * w, 0.06 * h),
        (cx + 0.24 * w, 0.14 * h),
        (cx + 0.26 * w, 0.44 * h),
        (cx + 0.14 * w, 0.45 * h),
        (cx + 0.30 * w, 0.96 * h),
        (cx - 0.30 * w, 0.96 * h),
        (cx - 0.14 * w, 0.45 * h),
        (cx - 0.26 * w, 0.44 * h),
        (cx - 0.24 * w, 0.14 * h),
        (cx - 0.16 * w, 0.06 * h),
    ]
    return _shoot(outline, colour, print_colour, size)


def checked_panel_with_side_shadow() -> Image.Image:
    """A panel of a checked shirt, lying on its backdrop with a soft grey shadow down its left side.

    The shadow ramps from the backdrop to a flat band of the backdrop's grey beside the panel's
    edge. The checks are pale greys woven with darker lines; a column of them touches the shadow
    along the edge, as a flannel shirt's pale checks do at the shoulder.
    """
    rng = np.random.default_rng(5)
    pixels = np.full((800, 640, 3), 246.0)
    x = np.arange(640)
    pixels[126:706] -= np.where(x < 160, 70 * np.clip((x - 132) / 12.0, 0, 1), 0)[None, :, None]
    pixels[120:700, 160:480] = (110, 140, 185)
    for y in range(120, 700, 10):  # the weave's darker lines
        pixels[y : y + 3, 160:480] = (60, 80, 120)
    check = np.full((26, 24), 190.0)
    for i in range(0, 26, 8):
        check[i : i + 3] = 150
    for i in range(4, 24, 8):
        check[:, i : i + 3] = 165
    for y0 in range(130, 690, 44):
        for x0 in (160, 300):
            pixels[y0 : y0 + 26, x0 : x0 + 24] = check[..., None]
    pixels += rng.normal(0, 1.5, pixels.shape)
    return Image.fromarray(pixels.clip(0, 255).astype(np.uint8))


def two_tees() -> Image.Image:
    """Two T-shirts side by side in one photo: several items, not one garment."""
    width, height = SIZE
    left = tee(size=(width // 2, height)).crop((0, 0, width // 2, height))
    right = tee(colour=(30, 90, 200), size=(width // 2, height)).crop((0, 0, width // 2, height))
    image = Image.new("RGB", SIZE, BACKDROP)
    image.paste(left, (0, 0))
    image.paste(right, (width // 2, 0))
    return image


def noise(seed: int = 7) -> Image.Image:
    """Random colour noise: no backdrop, no garment."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (SIZE[1], SIZE[0], 3), dtype=np.uint8))
