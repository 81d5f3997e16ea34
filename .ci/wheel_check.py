"""Compare `facekp detect --json` of an installed wheel with that of the checkout: the same faces, the same keypoints.

Usage: python .ci/wheel_check.py WHEEL.json EDITABLE.json
"""
import json, sys
import numpy as np

wheel, editable = (json.load(open(p)) for p in sys.argv[1:3])
assert '/site-packages/facekp/models/' in wheel['model'], f"the wheel ran {wheel['model']}, not its own shipped model"
fw, fe = wheel['images'][0]['faces'], editable['images'][0]['faces']
assert len(fw) == len(fe) >= 1, (len(fw), len(fe))
diff = max(float(np.abs(np.array(a['keypoints']) - np.array(b['keypoints'])).max()) for a, b in zip(fw, fe))
assert diff <= 0.011, f'keypoints differ by {diff} px'     # both rounded to 0.01 px
print(f"wheel and checkout agree: {len(fw)} face(s), keypoints within {diff:.3f} px ({wheel['model']})")
