#!/usr/bin/env bash
# Regenerates the README's configuration reference from the parameter declarations
# (`mnsim config-reference --markdown`), between the markers in README.md.
# usage: bash scripts/update_readme_config.sh [path/to/mnsim]
set -euo pipefail
cd "$(dirname "$0")/.."
mnsim=${1:-build/mnsim}
table=$("$mnsim" config-reference --markdown)
/usr/bin/python3 - "$table" <<'PY'
import sys
begin, end = "<!-- config-reference:begin -->", "<!-- config-reference:end -->"
text = open("README.md").read()
a, b = text.index(begin) + len(begin), text.index(end)
open("README.md", "w").write(text[:a] + "\n" + sys.argv[1] + "\n" + text[b:])
PY
