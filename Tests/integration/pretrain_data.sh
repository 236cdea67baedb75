#!/usr/bin/env bash
# Writes a tiny AudioSet-style pretraining set with sox: OUT/pretrain/segments.csv and
# OUT/pretrain/<ytid>.wav (N clips of 1.2 s, tones and noise, deterministic with sox -R).
#   bash pretrain_data.sh OUT [N]
set -euo pipefail
out=${1:?usage: pretrain_data.sh OUT [N]}
count=${2:-48}
mkdir -p "$out/pretrain"
csv="$out/pretrain/segments.csv"
{
  echo "# Segments csv created by Tests/integration/pretrain_data.sh"
  echo "# num_ytids=$count, num_segs=$count, num_unique_labels=2, num_positive_labels=$count"
  echo "# YTID, start_seconds, end_seconds, positive_labels"
} > "$csv"
for i in $(seq 0 $((count - 1))); do
  id=$(printf 'clip%07d' "$i")
  freq=$((200 + 37 * i))
  case $((i % 3)) in
    0) synth=(synth 1.2 sine "$freq") ;;
    1) synth=(synth 1.2 square "$freq" tremolo 5) ;;
    2) synth=(synth 1.2 pinknoise lowpass "$((freq * 4))") ;;
  esac
  [ -f "$out/pretrain/$id.wav" ] || sox -R -n -r 16000 -c 1 -b 16 "$out/pretrain/$id.wav" "${synth[@]}" vol 0.3
  echo "$id, 0.000, 1.200, \"/m/0$((i % 2))\"" >> "$csv"
done
