"Tests of facekp.model: metrics against hand-computed values, losses, networks, model files that are something else."
import math

import numpy as np
import pytest
import torch

from facekp.core import ModelError
from facekp.model import (KeypointNet, SpatialHead, WingLoss, auc_ced, failure_rate, find_pretrained, keypoint_loss,
                          keypoint_model, load_keypoint_model, model_config, mse_udacity, nme, nme_by_region,
                          nme_per_image)

def _faces(n=3, iod=20.0):
    t = np.zeros((n, 68, 2)); t[:, 45, 0] = iod
    return t

def test_nme_hand_computed():
    t = _faces(2, 20.0)
    p = t.copy(); p[0, :, 0] += 2.0; p[1, :10, 1] += 4.0          # 2 px everywhere; 4 px on 10 of 68 points
    assert np.allclose(nme_per_image(p, t), [0.1, 10 * 4 / 68 / 20])
    assert math.isclose(nme(p, t), (0.1 + 10 * 4 / 68 / 20) / 2)
    # the same in torch, and invariant to a uniform scale and shift of both
    assert np.allclose(nme_per_image(torch.tensor(p) * 3 + 7, torch.tensor(t) * 3 + 7), nme_per_image(p, t))

def test_fr_auc_hand_computed():
    e = np.array([0.02, 0.06, 0.09, 0.2])
    assert failure_rate(e, 0.08) == 0.5 and failure_rate(e, 0.10) == 0.25
    assert math.isclose(auc_ced(e, 0.08), ((0.06 + 0.02) / 0.08) / 4)
    assert math.isclose(auc_ced(e, 0.10), ((0.08 + 0.04 + 0.01) / 0.10) / 4)
    assert auc_ced(np.zeros(5), 0.1) == 1.0 and auc_ced(np.ones(5), 0.1) == 0.0

def test_nme_by_region():
    t = _faces(1, 10.0); p = t.copy(); p[0, 48:68, 0] += 1.0      # only the mouth is off, by 0.1 iod
    r = nme_by_region(p, t)
    assert math.isclose(r['mouth'], 0.1) and r['jaw'] == r['eyes'] == r['nose'] == r['brows'] == 0

def test_mse_udacity_units():
    t = np.zeros((2, 68, 2)); p = t + 5.0
    # image 1: shorter side 125 -> x2 to 250 -> 10 px -> 0.2 units -> 0.04; image 2: 500 -> x0.5 -> 2.5 px -> 0.0025
    assert math.isclose(mse_udacity(p, t, [(125, 300), (600, 500)]), (0.04 + 0.0025) / 2)

def test_losses():
    p, t = torch.zeros(2, 68, 2), torch.full((2, 68, 2), 0.5)
    assert math.isclose(keypoint_loss('mse')(p, t).item(), 0.25)
    assert math.isclose(keypoint_loss('l1')(p, t).item(), 0.5)
    with pytest.raises(ValueError, match='loss='): keypoint_loss('huber2')

@pytest.mark.parametrize('arch,size,gray', [('mobilenet_v2', 96, False), ('resnet18', 64, False), ('keypointnet', 64, True)])
def test_head_output_shape(arch, size, gray):
    m = keypoint_model(model_config(arch, size, gray), pretrained=False).eval()
    out = m(torch.rand(3, 1 if gray else 3, size, size))
    assert out.shape == (3, 68, 2) and torch.isfinite(out).all()
    if arch != 'keypointnet': assert out.abs().max() <= 1.2 and isinstance(m[1], SpatialHead)

def test_keypointnet_is_the_seeds():
    m = KeypointNet(224, 1)
    first = m.features[0]
    assert (first.in_channels, first.out_channels, first.kernel_size) == (1, 32, (5, 5))
    assert sum(isinstance(l, torch.nn.Dropout) for l in m.modules()) >= 4

@pytest.mark.skipif(find_pretrained('mobilenet_v2') is None, reason='no local ImageNet trunk')
def test_local_pretrained_trunk_loads():
    a = keypoint_model(model_config('mobilenet_v2', 64), pretrained=True)
    w = a[0][1][0][0].weight                                            # first conv, after ImageNorm
    assert not torch.allclose(w, keypoint_model(model_config('mobilenet_v2', 64), False)[0][1][0][0].weight)   # not a random init

def test_weights_of_something_else_are_named(tmp_path):
    torch.save({'a': torch.zeros(1)}, tmp_path / 'other.pth')
    with pytest.raises(ModelError, match='other.pth: not a facekp model file'): load_keypoint_model(tmp_path / 'other.pth')

def test_model_file_runs_no_code(tmp_path):
    class Evil:
        def __reduce__(self): return (print, ('pwned',))
    torch.save({'format': 'facekp-keypoint-model/1', 'config': {}, 'state_dict': {}, 'x': Evil()}, tmp_path / 'evil.pth')
    with pytest.raises(ModelError, match='evil.pth: not a readable weights file'): load_keypoint_model(tmp_path / 'evil.pth')

@pytest.mark.parametrize('name', ['mse', 'l1', 'smoothl1', 'wing'])
def test_loss_reduction_set_afterwards(name):
    "fastai's get_preds(with_loss=True) sets `reduction` on the loss it has: one loss per coordinate, as if made so."
    torch.manual_seed(0)
    p, t = torch.rand(3, 68, 2), torch.rand(3, 68, 2)
    loss = keypoint_loss(name)
    loss.reduction = 'none'
    assert loss.f.reduction == 'none' and torch.equal(loss(p, t), keypoint_loss(name, reduction='none')(p, t))
    assert loss(p, t).shape == (3, 136)
    with pytest.raises(ValueError, match="reduction='avg'"): keypoint_loss(name, reduction='avg')

def test_wing_loss_reduction_checked():
    w = WingLoss(reduction='none')
    assert w(torch.zeros(2, 5), torch.ones(2, 5)).shape == (2, 5)
    w.reduction = 'avg'
    with pytest.raises(ValueError, match="reduction='avg'"): w(torch.zeros(2), torch.ones(2))
