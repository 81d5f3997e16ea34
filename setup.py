"Package setup: every field comes from settings.ini (the nbdev 2 convention)."
from configparser import ConfigParser
import shlex
import setuptools

config = ConfigParser(delimiters=['='])
config.read('settings.ini', encoding='utf-8')
cfg = config['DEFAULT']

licenses = {'apache2': ('Apache Software License 2.0', 'OSI Approved :: Apache Software License')}
statuses = ['1 - Planning', '2 - Pre-Alpha', '3 - Alpha', '4 - Beta', '5 - Production/Stable']
lic = licenses.get(cfg['license'].lower(), (cfg['license'], None))
requirements = shlex.split(cfg.get('requirements', ''))
dev_requirements = shlex.split(cfg.get('dev_requirements', ''))

setuptools.setup(
    name=cfg['lib_name'],
    version=cfg['version'],
    description=cfg['description'],
    long_description=open('README.md', encoding='utf-8').read(),
    long_description_content_type='text/markdown',
    author=cfg['author'],
    author_email=cfg['author_email'],
    license=lic[0],
    url=cfg['git_url'],
    keywords=cfg['keywords'].split(),
    classifiers=['Development Status :: ' + statuses[int(cfg['status'])],
                 'Intended Audience :: ' + cfg['audience'].title(),
                 'Natural Language :: ' + cfg['language'].title(),
                 'Programming Language :: Python :: 3'] + (['License :: ' + lic[1]] if lic[1] else []),
    python_requires='>=' + cfg['min_python'],
    # the shipped models live in the repository's models/ and travel inside the package as facekp/models/
    packages=setuptools.find_packages(include=[cfg['lib_path'], cfg['lib_path'] + '.*']) + [cfg['lib_path'] + '.models'],
    package_dir={cfg['lib_path'] + '.models': 'models'},
    package_data={cfg['lib_path'] + '.models': ['facekp.pth', 'facekp.onnx', 'facekp.int8.onnx', 'face_detector.pth', 'face_detector.onnx',
                                                'README.md']},
    include_package_data=False,
    install_requires=requirements,
    extras_require={'dev': dev_requirements, 'onnx': ['onnx', 'onnxscript'], 'scale': ['ray[data]>=2.9'], 'distributed': ['accelerate>=0.21']},   # onnx: to export models (running them needs only onnxruntime)
    entry_points={'console_scripts': cfg['console_scripts'].split(),
                  'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    zip_safe=False,
)
