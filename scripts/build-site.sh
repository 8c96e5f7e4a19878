#!/usr/bin/env bash
# Builds site/: the playground as a self-contained static folder (the page, its scripts and
# styles, the wasm package and the bundled data) with relative URLs only, so it works from any
# static host and any sub-path, GitHub Pages included. Needs pkg/ (scripts/build-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf site
mkdir -p site/pkg site/data
cp www/* site/
cp pkg/widedeep.js pkg/widedeep_bg.wasm site/pkg/
cp data/adult.csv site/data/
cat > site/DATA-LICENSE.txt <<'TXT'
data/adult.csv: the UCI Adult / Census Income data set (Becker & Kohavi, 1996, UCI Machine Learning
Repository, doi:10.24432/C5XW20), licensed CC BY 4.0.
TXT
echo "site: $(du -sh site | cut -f1) in $(find site -type f | wc -l) files; publish the folder as it is"
