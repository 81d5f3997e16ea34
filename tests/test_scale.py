"""Landmarking on Ray Data: the same keypoints as the single-process path, bad files as error rows, a job killed
part-way finishes on a re-run without redoing done images, and a two-node cluster."""
import os, signal, subprocess, sys, time
from pathlib import Path

import numpy as np
import pytest

ray = pytest.importorskip('ray', reason='the scale extra (pip install "facekp[scale]") is not installed')
import pyarrow.parquet as pq

from conftest import sample_data
from facekp.inference import KeypointDetector
from facekp.scale import landmark_dataset

def _table(out):
    return pq.read_table(out).to_pandas().set_index('path')

def test_same_keypoints_as_one_process_and_error_rows(tmp_path):
    (tmp_path / 'broken.jpg').write_bytes(b'\x89PNG but not really')
    images = sorted(str(p) for p in (sample_data() / 'test').glob('*.jpg'))
    r = landmark_dataset([*images, str(tmp_path / 'broken.jpg')], tmp_path / 'out.parquet', num_cpus=2, batch_size=4)
    assert (r['n_new'], r['n_errors']) == (13, 1)
    t, det = _table(tmp_path / 'out.parquet'), KeypointDetector()
    assert t.loc[str(tmp_path / 'broken.jpg'), 'error'] and len(t.loc[str(tmp_path / 'broken.jpg'), 'faces']) == 0
    worst = 0.0
    for p in images:
        one = det(p)
        row = t.loc[p]
        assert not isinstance(row['error'], str) and len(row['faces']) == len(one)
        for f, g in zip(row['faces'], one):
            worst = max(worst, float(np.abs(np.stack(f['keypoints']) - g['keypoints']).max()))
    assert worst < 1e-3, worst

KILL = '''
import sys
from facekp.scale import landmark_dataset
landmark_dataset(sys.argv[1:-1], sys.argv[-1], num_cpus=2, batch_size=1)
'''

def test_a_killed_job_resumes_without_redoing_done_images(tmp_path):
    srcs = [str(sample_data() / 'training'), str(sample_data() / 'test')]
    out = tmp_path / 'out.parquet'
    proc = subprocess.Popen([sys.executable, '-c', KILL, *srcs, str(out)], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while time.time() - t0 < 120 and not list(out.glob('*.parquet')) and proc.poll() is None: time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL); proc.wait()
    # the killed driver's Ray workers may still finish the block they were writing: wait until the folder settles
    seen, still = None, time.time()
    while time.time() - still < 5 and time.time() - t0 < 180:
        now = sorted(f.name for f in out.glob('*'))
        if now != seen: seen, still = now, time.time()
        time.sleep(0.2)
    written = len(pq.read_table(out).to_pandas()) if list(out.glob('*.parquet')) else 0
    r = landmark_dataset(srcs, out, num_cpus=2)
    t = pq.read_table(out).to_pandas()
    assert r['n_done_before'] == written and r['n_done_before'] + r['n_new'] == 52
    assert len(t) == 52 and t['path'].nunique() == 52        # every image once: nothing redone, nothing lost

def test_two_node_cluster(tmp_path):
    from ray.cluster_utils import Cluster
    cluster = Cluster(initialize_head=True, head_node_args=dict(num_cpus=1))
    try:
        cluster.add_node(num_cpus=1)
        r = landmark_dataset(sample_data() / 'test', tmp_path / 'out.parquet', address=cluster.address, batch_size=4)
        assert r['n_new'] == 12 and r['n_errors'] == 0
        assert sum(len(f) for f in _table(tmp_path / 'out.parquet')['faces']) >= 12
    finally:
        ray.shutdown(); cluster.shutdown()
