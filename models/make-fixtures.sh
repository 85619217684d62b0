#!/usr/bin/env bash
# Regenerates, with the pinned Python environment (.venv, see setup-venv.sh), everything the Java tests compare
# against the reference implementations: committed fixtures are checked for staleness, large tensors and exported
# tiny packages are written under target/ (never committed). CI runs it before `mvn -B verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
[ -x "$py" ] || { echo "fixtures: no .venv; run models/setup-venv.sh first" >&2; exit 1; }
step() { local t0=$SECONDS; echo "fixtures: $1"; shift; "$@"; echo "fixtures:   done in $((SECONDS - t0)) s"; }
# Image preprocessing: full reference tensors of every fixture image, per family (~190 MB, not committed).
step "image tensors -> target/golden-images" "$py" models/golden/images/make_image_golden.py --out target/golden-images
# Prompt rules: the committed token-id fixtures must equal what the reference replay gives now.
step "prompt fixtures (check)" "$py" models/golden/prompts/make_prompt_golden.py --check
# M-RoPE positions: the committed golden must equal what transformers' get_rope_index gives now.
step "M-RoPE golden (check)" bash -c "'$py' models/golden/rope/make_rope_golden.py target/rope-golden.json \
  && cmp target/rope-golden.json models/golden/rope/rope-golden.json"
# Real architectures: tiny random checkpoints of the real HF classes -> contract-2 packages -> reference scores,
# on the benchmark that has one record of every source layout (RealArchitectureParityTest compares Java with it).
step "tiny HF checkpoints, packages, reference scores -> target/hf-fixtures" \
  bash models/make_hf_fixtures.sh target/hf-fixtures --bench models/golden/prompts/bench
# Export checks in Python: traced vs eager at other shapes, packed vs per-candidate, device-free scan, reference scorer.
step "python tests (models/tests)" "$py" -m unittest discover -s models/tests -t .
# The Python client (clients/python): wire-format vectors, then publishing to the project's own broker and pipeline
# (./radar broker, ./radar demo: the launcher needs the Maven build), and the HF Trainer / Lightning callbacks.
step "radar build for the client tests" mvn -B -q package -DskipTests
step "python client tests (clients/python/tests)" \
  env PYTHONPATH=clients/python/src "$py" -m unittest discover -s clients/python/tests -t clients/python
