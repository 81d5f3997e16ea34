"Tests of facekp.fun and facekp.video: overlays land where the keypoints say, smile order, clusters, swap, video."
import math

import cv2
import numpy as np
import pytest

from facekp.fun import (add_overlay, face_hull_mask, is_smiling, make_overlay, paste_face, pose_clusters, read_overlay,
                        smile_score, swap_faces)
from facekp.video import FaceTracker, OneEuroFilter, jitter, make_test_video, process_video

def face(cx=100, cy=110, s=40, ang=0.0):
    "A synthetic frontal face in iBUG order (jaw, brows, nose, eyes, lips)."
    k = np.zeros((68, 2))
    t = np.linspace(-1, 1, 17); k[0:17] = np.stack([t, 0.2 + 0.72 * np.sqrt(1 - t ** 2)], 1)
    k[17:22] = np.stack([np.linspace(-0.8, -0.2, 5), np.full(5, -0.55)], 1); k[22:27] = k[17:22][::-1] * [-1, 1]
    k[27:31] = np.stack([np.zeros(4), np.linspace(-0.35, 0.1, 4)], 1)
    k[31:36] = np.stack([np.linspace(-0.2, 0.2, 5), np.full(5, 0.2)], 1)
    for base, c in ((36, -0.45), (42, 0.45)):
        a = np.linspace(0, 2 * np.pi, 6, endpoint=False) + np.pi
        k[base:base + 6] = np.stack([c + 0.18 * np.cos(a), -0.3 + 0.07 * np.sin(a)], 1)
    a = np.linspace(0, 2 * np.pi, 12, endpoint=False) + np.pi; k[48:60] = np.stack([0.35 * np.cos(a), 0.55 + 0.12 * np.sin(a)], 1)
    a = np.linspace(0, 2 * np.pi, 8, endpoint=False) + np.pi; k[60:68] = np.stack([0.25 * np.cos(a), 0.55 + 0.05 * np.sin(a)], 1)
    r = math.radians(ang); R = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    return (k @ R.T * s + [cx, cy]).astype(np.float32)

def footprint(out):
    ys, xs = np.nonzero(out.sum(-1) > 0)
    return xs, ys

@pytest.mark.parametrize('ang', [0, 25, -15])
def test_sunglasses_centred_on_eyes_and_rotated(ang):
    k = face(ang=ang)
    out = add_overlay(np.zeros((240, 220, 3), np.uint8), k, 'sunglasses')
    xs, ys = footprint(out)
    mid = (k[36:42].mean(0) + k[42:48].mean(0)) / 2
    # centre of the alpha footprint (its second moments give its axis) on the eye midpoint
    c = np.array([xs.mean(), ys.mean()])
    assert np.abs(c - mid).max() < 4
    cov = np.cov(np.stack([xs, ys]))
    axis = math.degrees(0.5 * math.atan2(2 * cov[0, 1], cov[0, 0] - cov[1, 1]))
    assert abs(axis - ang) < 4                                                  # turned with the face

def test_overlay_clips_at_border_and_every_face():
    out = add_overlay(np.zeros((120, 120, 3), np.uint8), [face(10, 60, 40), face(100, 60, 30)], 'hat')
    assert out.shape == (120, 120, 3) and out[:, :20].any() and out[:, 90:].any()

def test_overlay_files(tmp_path):
    cv2.imwrite(str(tmp_path / 'rgb.png'), np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(ValueError, match='rgb.png: the overlay has no alpha channel'): read_overlay(tmp_path / 'rgb.png')
    cv2.imwrite(str(tmp_path / 'rgba.png'), cv2.cvtColor(make_overlay('moustache'), cv2.COLOR_RGBA2BGRA))
    assert np.array_equal(read_overlay(tmp_path / 'rgba.png'), make_overlay('moustache'))
    with pytest.raises(ValueError, match='kind='): make_overlay('crown')

def test_smile_orders_synthetic_mouths():
    smile, neutral, frown = face(), face(), face()
    smile[[48, 54], 1] -= 10; frown[[48, 54], 1] += 10
    assert smile_score(smile) > smile_score(neutral) > smile_score(frown)
    assert is_smiling(smile) and not is_smiling(frown)

def test_pose_clusters_count_and_seed():
    rng = np.random.default_rng(0)
    shapes = np.stack([face(ang=a) + rng.normal(0, 0.6, (68, 2)) for a in rng.uniform(-8, 8, 90)])
    shapes[:30, 27:36, 0] -= 12; shapes[30:60, 27:36, 0] += 12
    l1, c1, n1 = pose_clusters(shapes, k=3, seed=3)
    l2, c2, n2 = pose_clusters(shapes, k=3, seed=3)
    assert len(set(l1)) == 3 and c1.shape == (3, 68, 2) and len(n1) == 3
    assert np.array_equal(l1, l2)
    assert {len(set(l1[i:i + 30])) for i in (0, 30, 60)} == {1}                # each pose in one cluster
    assert sum('frontal' in n for n in n1) == 1

def test_face_swap_changes_only_the_hull():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 255, (220, 200, 3), dtype=np.uint8)
    b = np.full((260, 240, 3), 40, np.uint8); cv2.circle(b, (120, 120), 70, (90, 160, 210), -1)
    kb = face(120, 125, 50)
    out = paste_face(a, face(100, 110, 40), b, kb)
    assert out.shape == b.shape
    outside = face_hull_mask(kb, b.shape) == 0
    assert (out[outside] == b[outside]).all() and (out[~outside] != b[~outside]).any()
    both = swap_faces(b, kb, a, face(100, 110, 40))
    assert both[0].shape == b.shape and both[1].shape == a.shape

def test_one_euro_and_tracker_lower_jitter():
    rng = np.random.default_rng(0); base = face()
    frames = [base + rng.normal(0, 1.0, base.shape) for _ in range(60)]
    raw, smooth = FaceTracker(smooth=False), FaceTracker(smooth=True)
    box = np.array([60, 70, 140, 150], np.float32)
    kr = [raw.update([dict(box=box, keypoints=f)])[0]['keypoints'] for f in frames]
    ks = [smooth.update([dict(box=box, keypoints=f)])[0]['keypoints'] for f in frames]
    assert jitter(ks) < 0.5 * jitter(kr)
    # and it follows motion: a face moving 2 px a frame is not left behind by more than a few px
    f = OneEuroFilter(min_cutoff=1.0, beta=0.3)
    pos = [f(np.array([2.0 * i])) for i in range(60)]
    assert abs(pos[-1][0] - 118) < 4

def test_video_keeps_frame_count_and_bad_video(tmp_path):
    v = make_test_video(np.full((48, 64, 3), 90, np.uint8), tmp_path / 'in.mp4', n=9)
    r = process_video(v, tmp_path / 'out.mp4', detector=lambda rgb: [], progress=False)
    cap = cv2.VideoCapture(str(tmp_path / 'out.mp4'))
    assert r['frames'] == 9 and int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 9
    (tmp_path / 'junk.mp4').write_bytes(b'junk')
    with pytest.raises(ValueError, match='junk.mp4'): process_video(tmp_path / 'junk.mp4', tmp_path / 'o.mp4', None)
