"Tests of facekp.fun and facekp.video: overlays land where the keypoints say and turn with the face, clusters, swaps, smoothing."
import math

import cv2
import numpy as np
import pytest

from facekp.fun import add_overlay, face_hull_mask, make_overlay, pose_clusters, read_overlay, swap_faces
from facekp.video import FaceTracker, OneEuroFilter, jitter

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

def test_pose_clusters_three_poses_one_frontal():
    rng = np.random.default_rng(0)
    shapes = np.stack([face(ang=a) + rng.normal(0, 0.6, (68, 2)) for a in rng.uniform(-8, 8, 90)])
    shapes[:30, 27:36, 0] -= 12; shapes[30:60, 27:36, 0] += 12
    l1, c1, n1 = pose_clusters(shapes, k=3, seed=3)
    assert len(set(l1)) == 3 and c1.shape == (3, 68, 2) and len(n1) == 3
    assert {len(set(l1[i:i + 30])) for i in (0, 30, 60)} == {1}                # each pose in one cluster
    assert sum('frontal' in n for n in n1) == 1

def _direction(img, k):
    "Which way the stripes inside face `k` (its hull without the blended rim) vary: 'x' or 'y'."
    core = cv2.erode(face_hull_mask(k, img.shape), np.ones((9, 9), np.uint8))[1:, 1:] > 0
    g = img.astype(np.float32).mean(-1)
    gx, gy = np.abs(np.diff(g, axis=1))[1:][core].mean(), np.abs(np.diff(g, axis=0))[:, 1:][core].mean()
    assert max(gx, gy) > 3 * min(gx, gy), (gx, gy)
    return 'x' if gx > gy else 'y'

def _stripes(h, w, axis):
    "An image of stripes whose brightness varies along `axis` ('x' or 'y')."
    t = 128 + 100 * np.sin(np.arange(w if axis == 'x' else h) / 2.0)
    g = np.broadcast_to(t[None, :] if axis == 'x' else t[:, None], (h, w))
    return np.repeat(g[..., None], 3, -1).astype(np.uint8)

def test_swap_faces_of_two_images_and_of_one():
    "Each face lands in the other's place and nothing outside the two faces changes (the faces told apart by their stripes)."
    a, ka = _stripes(220, 200, 'y'), face(100, 110, 40)
    b, kb = _stripes(260, 240, 'x'), face(120, 125, 50)
    a_with_b, b_with_a = swap_faces(a, ka, b, kb)
    ma, mb = face_hull_mask(ka, a.shape) > 0, face_hull_mask(kb, b.shape) > 0
    assert a_with_b.shape == a.shape and b_with_a.shape == b.shape
    assert (a_with_b[~ma] == a[~ma]).all() and (b_with_a[~mb] == b[~mb]).all()
    assert (_direction(a, ka), _direction(a_with_b, ka), _direction(b, kb), _direction(b_with_a, kb)) == ('y', 'x', 'x', 'y')
    one = np.concatenate([a, _stripes(220, 200, 'x')], 1)                                  # two faces of one image
    k1, k2 = ka, face(300, 110, 40)
    out = swap_faces(one, k1, None, k2)
    m1, m2 = face_hull_mask(k1, one.shape) > 0, face_hull_mask(k2, one.shape) > 0
    assert (out[~(m1 | m2)] == one[~(m1 | m2)]).all()
    assert (_direction(one, k1), _direction(out, k1), _direction(one, k2), _direction(out, k2)) == ('y', 'x', 'x', 'y')

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

