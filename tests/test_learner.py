"Tests of `KeypointLearner`: fastai's own tools (fine_tune, lr_find, show_results, tta, predict, export, Interpretation) on keypoints."
import inspect, subprocess, sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

from conftest import HOPPER, make_data_dir, sample_data
from facekp.core import FLIP_PERM, MODELS_DIR
from facekp.data import keypoint_dls
from facekp.model import keypoint_loss, load_keypoint_model, nme, read_weights
from facekp.training import TRAIN_DEFAULTS, TRUNK_LR_MULT, KeypointLearner, keypoint_learner, unflip_points

SHIPPED = MODELS_DIR / 'facekp.pth'

@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "A learner on a tiny synthetic data folder, 32 px, no ImageNet weights."
    d = make_data_dir(tmp_path_factory.mktemp('learner') / 'data', n_train=16, n_test=8)
    dls = keypoint_dls(d, size=32, bs=8, cache=False, valid='test')
    return keypoint_learner(dls, pretrained=False)

@pytest.fixture(scope='module')
def shipped(tmp_path_factory):
    "A learner holding the shipped model's weights (at the shipped model's input size), on the sample's real faces."
    size = read_weights(SHIPPED)['config']['size']
    dls = keypoint_dls(sample_data(), size=size, bs=12, cache_dir=tmp_path_factory.mktemp('cache'), valid='test')
    learn = keypoint_learner(dls, pretrained=False, head_dropout=0.0)
    learn.model.load_state_dict(read_weights(SHIPPED)['state_dict'])
    return learn

def test_fastai_tools_need_no_fastai_import_and_leave_model_meta_alone():
    "With facekp's imports alone, Learner has fastai's training tools; fastai's global model_meta is unchanged."
    code = ("import copy, torchvision; from fastai.vision.learner import model_meta; from fastai.learner import Learner\n"
            "before = copy.deepcopy(model_meta)\n"
            "import facekp.training\n"
            "assert model_meta == before, 'facekp changed fastai.vision.learner.model_meta'\n"
            "missing = [n for n in ('fine_tune', 'fit_one_cycle', 'lr_find') if not hasattr(Learner, n)]\n"
            "assert not missing, missing\n"
            "import fastai.callback.progress as p; assert p.ProgressCallback in __import__('fastai.learner').learner.defaults.callbacks\n")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]

def test_building_a_learner_leaves_model_meta_alone(tmp_path):
    "keypoint_learner tells vision_learner where to cut for its one call; fastai's model_meta is as it was afterwards."
    import copy
    from fastai.vision.learner import model_meta
    before = copy.deepcopy(model_meta)
    keypoint_learner(keypoint_dls(make_data_dir(tmp_path / 'd', n_train=8, n_test=4), size=32, bs=4, cache=False), pretrained=False)
    assert model_meta == before

def test_keypoint_learner_is_a_keypoint_learner(tiny):
    assert isinstance(tiny, KeypointLearner) and tiny.facekp_config['size'] == 32
    assert [len(g) for g in tiny.splitter(tiny.model)] == [len(list(tiny.model[0].parameters())), len(list(tiny.model[1].parameters()))]

def test_fine_tune_trunk_rate_is_the_recipes(tiny, monkeypatch):
    calls = []
    monkeypatch.setattr(tiny, 'fit_one_cycle', lambda n, lr, **kw: calls.append((n, lr)), raising=False)
    tiny.fine_tune(3, 1e-3)
    (n0, lr0), (n1, lr1) = calls
    assert (n0, n1) == (1, 3) and lr1.start == lr1.stop == 5e-4              # the trunk at the head's rate
    assert TRUNK_LR_MULT == 1 / TRAIN_DEFAULTS['trunk_lr_mult']
    calls.clear(); tiny.fine_tune(2, 1e-3, lr_mult=100)                       # fastai's default still on demand
    assert calls[1][1].start == pytest.approx(5e-6) and calls[1][1].stop == 5e-4
    assert inspect.signature(type(tiny).__mro__[1].fine_tune).parameters['lr_mult'].default == 100   # fastai's own

def test_fit_lr_find_show_results(tiny):
    tiny.fit_one_cycle(1, 1e-3)
    assert len(tiny.recorder.values) == 1 and np.isfinite(tiny.recorder.values[-1]).all()
    before = {k: v.clone() for k, v in tiny.model.state_dict().items()}
    sug = tiny.lr_find(num_it=4, show_plot=False)
    assert 1e-7 <= sug.valley <= 10                                           # within the rates it tried
    assert all(torch.equal(v, tiny.model.state_dict()[k]) for k, v in before.items())   # and the weights put back
    plt.close('all'); tiny.show_results(max_n=2)
    axes = plt.gcf().axes                                                     # targets and predictions of 2 faces
    assert len(axes) == 4 and all(len(a.images) == 1 and [len(c.get_offsets()) for c in a.collections] == [68] for a in axes)
    plt.close('all')

def _spread_head(learn):
    "Large head weights and biases: points spread over the frame, as a trained model's are."
    torch.manual_seed(0)
    torch.nn.init.normal_(learn.model[1].fc.weight, std=0.5); torch.nn.init.normal_(learn.model[1].fc.bias, std=1.0)

class _Symmetric(torch.nn.Module):
    "A model whose prediction on the mirror image is its prediction, mirrored back (x negated, points relabelled)."
    def __init__(self, m): super().__init__(); self.m = m
    def forward(self, x):
        a, b = self.m(x), self.m(x.flip(-1))[:, FLIP_PERM]
        return (a + torch.stack([-b[..., 0], b[..., 1]], -1)) / 2

class _OnMirror(torch.nn.Module):
    "The model run on the mirror images of its input."
    def __init__(self, m): super().__init__(); self.m = m
    def forward(self, x): return self.m(x.flip(-1))

def _preds_of(learn, model):
    "`learn.get_preds()` with `model` in the learner's place for the call."
    old = learn.model; learn.model = model
    try: return learn.get_preds()
    finally: learn.model = old

def _no_perm(p):
    "A wrong un-flip of mirror predictions: x negated, the points' labels kept."
    return torch.stack([-p[..., 0], p[..., 1]], -1)

def test_tta_undoes_the_mirror(tiny):
    _spread_head(tiny)
    plain, targ = tiny.get_preds()
    mirrored = _preds_of(tiny, _OnMirror(tiny.model))[0]
    tta, targ2 = tiny.tta()
    assert torch.equal(targ, targ2) and plain.std() > 0.05
    assert torch.allclose(tta, (plain + unflip_points(mirrored)) / 2, atol=1e-5)   # the mirror predictions, mapped back
    assert not torch.allclose(tta, (plain + _no_perm(mirrored)) / 2, atol=1e-2)
    assert torch.equal(tiny.tta(flip=False)[0], plain)
    sym = _Symmetric(tiny.model)                                       # exact for a mirror-symmetric model
    old = tiny.model; tiny.model = sym
    try: assert torch.allclose(tiny.tta()[0], tiny.get_preds()[0], atol=1e-5)
    finally: tiny.model = old
    with pytest.raises(ValueError, match='tta: n, beta not supported'): tiny.tta(n=4, beta=0.1)

def test_tta_on_the_shipped_model_and_real_faces(shipped):
    "On the sample's test faces, mirror TTA is about as good as the plain predictions; a wrong un-flip is far worse."
    plain, targ = shipped.get_preds()
    tta = shipped.tta()[0]
    wrong = (plain + _no_perm(_preds_of(shipped, _OnMirror(shipped.model))[0])) / 2
    assert len(targ) == 12 and nme(plain, targ) < 0.08 and abs(nme(tta, targ) - nme(plain, targ)) < 0.005
    assert nme(wrong, targ) > 2 * nme(plain, targ)

def _same_faces(a, b, tol):
    return len(a) == len(b) and all(np.abs(f['keypoints'] - g['keypoints']).max() < tol and np.allclose(f['box'], g['box'])
                                    for f, g in zip(a, b))

def test_predict_whole_images(shipped):
    from facekp.inference import KeypointDetector
    model, cfg, _ = load_keypoint_model(SHIPPED)
    ref = KeypointDetector(model=(model, cfg), device='cpu', convention=None)(HOPPER)   # the same network, without the file's face check
    # (and its own points: a learner's config has no point conventions, which are fitted after training)
    truth = KeypointDetector(SHIPPED, backend='torch', device='cpu', convention=None)(HOPPER)
    assert len(truth) == 1 and len(ref) >= 1
    arr = np.asarray(Image.open(HOPPER).convert('RGB'))
    for item in (HOPPER, Image.open(HOPPER), arr):
        faces = shipped.predict(item)
        assert _same_faces(faces, ref, 0.01) and faces[0]['keypoints'].shape == (68, 2)
        assert any(np.abs(f['keypoints'] - truth[0]['keypoints']).max() < 0.5 for f in faces)   # in the image's pixels
    assert shipped.predict(np.zeros((120, 160, 3), np.uint8)) == []
    with pytest.raises(ValueError, match='not a facekp learner'): KeypointDetector.from_learner(object())

def test_export_is_a_facekp_model_file(shipped, tmp_path):
    from facekp.inference import KeypointDetector
    p = shipped.export(tmp_path / 'mine.pth')
    m, cfg, _ = load_keypoint_model(p)
    x = torch.rand(2, 3, 112, 112)
    shipped.model.eval()
    with torch.no_grad(): assert torch.allclose(m(x), shipped.model(x), atol=1e-5)
    assert cfg == shipped.facekp_config
    assert _same_faces(KeypointDetector(p, backend='torch', device='cpu')(HOPPER), shipped.predict(HOPPER), 0.05)
    old = shipped.path
    try:
        shipped.path = tmp_path / 'run'
        assert shipped.export('rel.pth') == tmp_path / 'run' / 'rel.pth' and (tmp_path / 'run' / 'rel.pth').is_file()
    finally: shipped.path = old

def test_top_losses(tiny):
    from fastai.interpret import Interpretation
    _spread_head(tiny)
    interp = Interpretation.from_learner(tiny)
    preds, targs = tiny.get_preds()
    by_hand = torch.stack([keypoint_loss('wing')(p[None], t[None]) for p, t in zip(preds, targs)])
    assert torch.allclose(interp.losses, by_hand, atol=1e-6)
    losses, idx = interp.top_losses(3)
    assert torch.equal(idx, by_hand.argsort(descending=True)[:3])
    assert tiny.loss_func.reduction == 'mean'                                  # restored after
    plt.close('all'); interp.plot_top_losses(3)
    titles = [a.get_title() for a in plt.gcf().axes if a.get_title()]
    assert titles[:3] == [f'{l:.4f}' for l in losses.tolist()]
    plt.close('all')
