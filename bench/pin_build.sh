#!/bin/sh
# Pin facekp at one commit for a benchmark or probe run, while others keep editing the working tree of the editable install.
#
#   bench/pin_build.sh COMMIT [REPO=/work/main] [VENV=/work/main/.venv] [DIR=/tmp/facekp-pin-COMMIT]
#
# Exports facekp/ and models/ of COMMIT into DIR and writes DIR/bin/facekp and DIR/bin/python: the venv's python with
# PYTHONPATH=DIR, which comes before the editable install's finder. Then:
#   python3 bench/probe.py   --facekp DIR/bin/facekp --python DIR/bin/python
#   python3 bench/startup.py --facekp DIR/bin/facekp --python DIR/bin/python
set -eu
commit=$1; repo=${2:-/work/main}; venv=${3:-/work/main/.venv}
sha=$(git -C "$repo" rev-parse --short "$commit")
dir=${4:-/tmp/facekp-pin-$sha}
rm -rf "$dir"; mkdir -p "$dir/bin"
git -C "$repo" archive "$sha" facekp models | tar -x -C "$dir"
echo "$sha" > "$dir/COMMIT"
cat > "$dir/bin/python" <<EOF
#!/bin/sh
PYTHONPATH="$dir\${PYTHONPATH:+:\$PYTHONPATH}" exec "$venv/bin/python" "\$@"
EOF
cat > "$dir/bin/facekp" <<EOF
#!/bin/sh
PYTHONPATH="$dir\${PYTHONPATH:+:\$PYTHONPATH}" exec "$venv/bin/python" -c 'import sys; from facekp.cli import main; sys.exit(main())' "\$@"
EOF
chmod +x "$dir/bin/python" "$dir/bin/facekp"
cd / && "$dir/bin/python" -c "import facekp, sys; assert facekp.__file__.startswith('$dir'), facekp.__file__; print('pinned', facekp.__file__)"
echo "$dir"
