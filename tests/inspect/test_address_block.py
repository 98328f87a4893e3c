"""Text lines and candidate address blocks on drawn pieces: where the destination is, and what is not it."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mailpiece.inspect.address_block import (
    BlockCandidate,
    TextLine,
    blank_foreign_lines,
    find_address_candidates,
    find_text_lines,
    joined_with_fragment,
    merge_row_fragments,
    turn_lines,
)

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
RETURN = ("ACME SUPPLY CO", "12 ELM ST", "DENVER CO 80219")
DESTINATION = ("JANE Q DOE", "4500 W 3RD AVE APT 7", "HARTFORD CT 06103-1234")


def draw_piece(
    paper: tuple[int, int, int] = (235, 238, 240), ink: tuple[int, int, int] = (30, 30, 30)
) -> np.ndarray:
    """A 1400x700 envelope: return address top left, destination right of centre, lower half."""
    image = Image.new("RGB", (1400, 700), paper[::-1])
    draw = ImageDraw.Draw(image)
    small, large = ImageFont.truetype(str(FONT), 18), ImageFont.truetype(str(FONT), 30)
    for i, line in enumerate(RETURN):
        draw.text((50, 40 + 26 * i), line, font=small, fill=ink[::-1])
    for i, line in enumerate(DESTINATION):
        draw.text((620, 340 + 42 * i), line, font=large, fill=ink[::-1])
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def _holds(box: tuple[int, int, int, int], x: int, y: int) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def test_the_best_candidate_is_the_destination_and_the_return_address_is_flagged() -> None:
    candidates = find_address_candidates(draw_piece(), limit=5)
    best = candidates[0]
    assert _holds(best.box, 640, 360) and _holds(best.box, 1000, 440), best.box  # first and last line
    assert len(best.lines) == 3 and not best.in_return_corner
    corner = [c for c in candidates if _holds(c.box, 60, 60)]
    assert corner and corner[0].in_return_corner and corner[0].score < best.score - 1.0


def test_a_return_address_in_large_type_reaching_past_the_middle_is_still_flagged() -> None:
    # A postcard's sender in the same large type as the destination: its long last line crosses the middle.
    image = Image.new("RGB", (1400, 900), (240, 238, 235))
    draw = ImageDraw.Draw(image)
    large = ImageFont.truetype(str(FONT), 36)
    sender = ("RICHARD KING", "RIVER FOODS", "731 E CHURCH DR LOT 4F", "NEWBERRY SPRINGS, CA 92365-8116")
    for i, line in enumerate(sender):
        draw.text((80, 120 + 54 * i), line, font=large, fill=(30, 30, 30))
    for i, line in enumerate(DESTINATION):
        draw.text((780, 560 + 54 * i), line, font=large, fill=(30, 30, 30))
    piece = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    candidates = find_address_candidates(piece, limit=5)
    corner = [c for c in candidates if _holds(c.box, 100, 140)]
    assert corner and max(line.box[2] for line in corner[0].lines) > 700, "its last line crosses the middle"
    assert corner[0].in_return_corner
    assert _holds(candidates[0].box, 800, 580) and not candidates[0].in_return_corner


def test_an_address_block_that_took_in_marks_above_it_is_not_the_postage_corner() -> None:
    # Held-out fonts seed 21070, piece 757 (837x583): a cancel's wavy lines over the stamps joined the top of
    # the destination block, so the block reached up into the postage corner and was ranked below four
    # specks; its last line is far below that corner. A meter's imprint lines in the corner stay ranked low.
    piece = np.full((583, 837, 3), 235, np.uint8)
    cancel = [(631, 143, 684, 164), (606, 184, 737, 204)]
    address = [(523, 230, 746, 250), (522, 263, 808, 284), (521, 296, 793, 318)]
    meter = [(690, 20, 820, 38), (690, 46, 820, 64), (690, 72, 820, 90)]
    lines = [TextLine(box=box) for box in meter + cancel + address]
    candidates = find_address_candidates(piece, limit=5, lines=lines)
    assert len(candidates[0].lines) == 5 and _holds(candidates[0].box, 600, 300), candidates[0].box
    corner = next(c for c in candidates if _holds(c.box, 700, 50))
    assert corner.score < candidates[0].score - 1.0


def test_light_print_on_dark_stock_is_found_line_by_line() -> None:
    piece = draw_piece(paper=(120, 60, 20), ink=(240, 240, 240))  # white on a dark blue envelope
    lines = [line for line in merge_row_fragments(find_text_lines(piece)[0]) if line.box[1] > 300]
    assert len(lines) == 3, lines
    assert all(line.height < 60 for line in lines), "glyphs are not glued to their halo"
    assert _holds(find_address_candidates(piece)[0].box, 640, 360)


def test_the_edge_between_two_shades_of_stock_is_not_print() -> None:
    # Two-tone or patterned stock: a shallow edge between a darker and a lighter area runs through the
    # block. Its dark side is darker than the neighbourhood's mean, but it is a step, not a stroke.
    for paper, ink in (((235, 238, 240), (30, 30, 30)), ((120, 60, 20), (240, 240, 240))):
        piece = draw_piece(paper=paper, ink=ink)
        rows, cols = np.mgrid[: piece.shape[0], : piece.shape[1]]
        darker = rows > 300 + 0.03 * cols  # one row in 33 across the piece: a "line" to a text finder
        piece[darker] = (piece[darker] * 0.8).astype(np.uint8)
        edge = [line for line in find_text_lines(piece)[0] if line.box[2] - line.box[0] > 500]
        assert not edge, edge
        best = find_address_candidates(piece)[0]
        assert len(best.lines) == 3 and _holds(best.box, 640, 360) and _holds(best.box, 1000, 440), best


def test_a_fold_through_the_block_does_not_glue_its_lines_into_one() -> None:
    # A fold's valley runs from edge to edge of the piece, touching glyphs of the last two lines: joined
    # with them it made one "line" of the whole width, and the block lost its last line.
    piece = draw_piece()
    cv2.line(piece, (0, 398), (1399, 430), (95, 95, 95), 3)
    lines = find_text_lines(piece)[0]
    assert not [line for line in lines if line.box[2] - line.box[0] > 700], lines
    best = find_address_candidates(piece)[0]
    assert len(best.lines) == 3 and _holds(best.box, 640, 360) and _holds(best.box, 1000, 440), best


def test_candidate_boxes_lie_inside_the_piece_with_room_for_a_cut_zip() -> None:
    piece = draw_piece()
    height, width = piece.shape[:2]
    for candidate in find_address_candidates(piece, limit=5):
        x0, y0, x1, y1 = candidate.box
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
        right = max(line.box[2] for line in candidate.lines)
        line_height = float(np.median([line.height for line in candidate.lines]))
        assert x1 >= min(width, right + 3 * line_height)


def test_lines_of_the_turned_piece_are_the_same_lines_turned() -> None:
    piece = draw_piece()
    height, width = piece.shape[:2]
    turned = turn_lines(find_text_lines(piece)[0], width, height)
    found = find_text_lines(cv2.rotate(piece, cv2.ROTATE_180))[0]
    assert len(turned) == len(found)
    for a, b in zip(turned, found, strict=True):
        assert np.abs(np.subtract(a.box, b.box)).max() <= 3


def test_row_fragments_join_across_a_wide_gap_but_not_across_the_piece() -> None:
    city = TextLine(box=(100, 200, 400, 230))
    near_zip = TextLine(box=(400 + 5 * 30, 202, 700, 231))  # five line heights away: a missed word
    far = TextLine(box=(400 + 9 * 30, 200, 1300, 230))
    assert merge_row_fragments([city, near_zip]) == [TextLine(box=(100, 200, 700, 231))]
    assert len(merge_row_fragments([city, far])) == 2
    lower = TextLine(box=(450, 260, 700, 290))  # the next row down stays a line of its own
    assert len(merge_row_fragments([city, lower])) == 2


def test_display_type_does_not_pull_an_address_line_into_its_row() -> None:
    # "THANK YOU!" in 50 px type on the row of a 30 px last line, four of its heights (seven of the
    # address line's) to the left: the gap is measured in the smaller line's height.
    slogan = TextLine(box=(100, 190, 400, 240))
    last_line = TextLine(box=(400 + 7 * 30, 200, 900, 230))
    assert len(merge_row_fragments([slogan, last_line])) == 2


def test_a_blank_piece_has_no_candidates() -> None:
    assert find_address_candidates(np.full((600, 1200, 3), 230, np.uint8)) == []


def test_pieces_smaller_than_the_working_size_give_no_empty_candidate_boxes() -> None:
    # Upscaled to 1200 px, a speck on a 40x50 piece is a "line" under a pixel tall: rounding both of its
    # edges to one row made (4, 67, 5, 67)-style empty boxes that OCR preprocessing raised on.
    checked = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        height, width = int(rng.integers(20, 120)), int(rng.integers(40, 160))
        piece = (rng.random((height, width, 3)) * 255).astype(np.uint8)
        lines = find_text_lines(piece)[0]
        assert all(x1 > x0 and y1 > y0 for x0, y0, x1, y1 in (line.box for line in lines))
        for candidate in find_address_candidates(piece, lines=lines):
            x0, y0, x1, y1 = candidate.box
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, candidate.box
            checked += 1
    assert checked > 10


def test_return_address_lines_inside_another_block_are_blanked_before_it_is_read() -> None:
    # Seed 21100, piece 123, as laid out: the sender top left; a burst's words and a line of display type
    # stack into one block whose box takes in the sender's last line (a mis-sort to the sender's ZIP).
    sender = [TextLine(box=b) for b in ((57, 54, 202, 68), (56, 78, 172, 92), (57, 102, 239, 117))]
    display = [TextLine(box=b) for b in ((607, 111, 689, 131), (602, 151, 694, 173), (619, 195, 708, 234))]
    display.append(TextLine(box=(58, 267, 665, 297)))
    window = [TextLine(box=b) for b in ((111, 389, 371, 410), (144, 424, 467, 445), (111, 459, 452, 484))]
    piece = np.full((571, 1021, 3), 220, np.uint8)
    lines = sorted(sender + display + window, key=lambda ln: (ln.box[1], ln.box[0]))
    candidates = {c.lines[0].box: c for c in find_address_candidates(piece, limit=6, lines=lines)}
    assert candidates[sender[0].box].in_return_corner and candidates[sender[0].box].foreign == ()
    assert candidates[display[0].box].foreign == (sender[2].box,), "the sender's last line reaches in"
    assert candidates[window[0].box].foreign == ()
    # Blanking paints the line over in the crop's paper colour and leaves the crop itself alone.
    crop = piece[100:300, 40:720].copy()
    crop[2:17, 17:199] = 30  # the sender's last line, as ink
    blank = blank_foreign_lines(crop, (40, 100), (sender[2].box,))
    assert blank.min() == 220 and crop.min() == 30
    assert blank_foreign_lines(crop, (40, 100), ((900, 500, 950, 520),)) is crop, "nothing reaches in"



def _block(*boxes: tuple[int, int, int, int], score: float = 2.0, sender: bool = False) -> BlockCandidate:
    lines = tuple(TextLine(box=b) for b in boxes)
    box = (min(b[0] for b in boxes) - 18, min(b[1] for b in boxes) - 18, max(b[2] for b in boxes) + 120,
           max(b[3] for b in boxes) + 18)  # fmt: skip
    return BlockCandidate(box=box, lines=lines, score=score, in_return_corner=sender)


def test_a_zip_split_off_below_the_street_is_read_with_its_block() -> None:
    """Name and street above, the last line's town lost to a crease, its ZIP a block of its own."""
    upper = _block((340, 288, 600, 318), (340, 330, 560, 360), score=2.2)
    zip_alone = _block((470, 372, 630, 402), score=1.7)
    joined = joined_with_fragment(upper, zip_alone)
    assert joined is not None and len(joined.lines) == 3 and joined.score == upper.score
    assert joined.box == (322, 270, 750, 420)  # both boxes, room on the right kept
    beside = _block((580, 334, 700, 358))  # on the last line's row, right of it: a ZIP split from its town
    assert joined_with_fragment(upper, beside) is not None


def test_blocks_far_apart_or_in_the_senders_corner_are_not_joined() -> None:
    upper = _block((340, 288, 600, 318), (340, 330, 560, 360))
    assert joined_with_fragment(upper, _block((470, 500, 630, 530))) is None  # five lines further down
    assert joined_with_fragment(upper, _block((1100, 372, 1200, 402))) is None  # far to the right
    assert joined_with_fragment(upper, _block((340, 200, 600, 230))) is None  # above it
    assert joined_with_fragment(upper, _block((470, 372, 630, 402), sender=True)) is None
    inside = _block((450, 334, 520, 358))  # a fragment of the last line within the block's box
    assert joined_with_fragment(upper, inside) is None, "the same crop again would back its own misreading"
    three = _block((470, 372, 630, 402), (470, 410, 630, 440), (470, 448, 630, 478))
    assert joined_with_fragment(upper, three) is None  # a block of its own, not a fragment
