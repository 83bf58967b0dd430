#!/usr/bin/env bash
# Run one fuzz target for a while, seeded from the shared corpus of real spreadsheets.
#
#   fuzz/run.sh TARGET SECONDS        TARGET: workbook | csv | number | header | markdown
#
# Needs `cargo install cargo-fuzz`. cargo-fuzz passes nightly-only flags to rustc; on a stable
# toolchain this script sets RUSTC_BOOTSTRAP=1 to allow them. Seeds are copied at run time into
# fuzz/corpus/TARGET (ignored by git; the corpus files are never committed), from ../shared/corpus
# relative to the project root, or from $FTC_CORPUS. Crashes land in fuzz/artifacts/TARGET.
# Extra arguments after SECONDS go to libFuzzer (e.g. -seed=1).
set -euo pipefail

target=${1:?usage: fuzz/run.sh TARGET SECONDS}
seconds=${2:?usage: fuzz/run.sh TARGET SECONDS}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${FTC_CORPUS:-$root/../shared/corpus}
seeds=$root/fuzz/corpus/$target
mkdir -p "$seeds"
export RUSTC_BOOTSTRAP=${RUSTC_BOOTSTRAP:-1}

case $target in
  workbook) max_len=1048576; timeout=30 ;;
  number) max_len=256; timeout=10 ;;
  csv | header | markdown) max_len=131072; timeout=10 ;;
  *) echo "unknown target: $target" >&2; exit 2 ;;
esac

# Copy a file into the seed folder under a name made from its path (names repeat across sources).
seed() {
  local name=${1#"$shared"/}
  name=${name#"$root"/}
  cp -n "$1" "$seeds/${name//\//_}" 2>/dev/null || true
}
# A literal snippet as a seed of its own.
snippet() { printf '%s' "$2" >"$seeds/snippet-$1"; }

if [ ! -d "$shared" ]; then
  echo "warning: no corpus at $shared; fuzzing from the snippets alone" >&2
fi

case $target in
  workbook)
    # Every file of the corpus, whatever it is (the sniffer decides), up to the length limit.
    while IFS= read -r -d '' f; do seed "$f"; done \
      < <(find "$shared" "$root/tests/fixtures" -type f -size -$((max_len / 1024))k -print0 2>/dev/null)
    ;;
  csv | header)
    while IFS= read -r -d '' f; do seed "$f"; done \
      < <(find "$shared" "$root/data" -type f \( -iname '*.csv' -o -iname '*.tsv' \) \
            -size -$((max_len / 1024))k -print0 2>/dev/null)
    snippet cascade $'Fast-Track Cities \xe2\x80\x94 HIV cascade\nPeriod,2026-Q3\n\nCommune code,Commune,PLHIV (estimate),Know status,# on ART,VL tested,Virally suppressed (<1000)\n020101,Banan,120,100,98,90,88\n020102,Kantueu Muoy,"1,080",70,69,60,58\nTotal,,200,170,167,150,146\n'
    snippet two-row $'Area,,Cascade,,,\nCode,Name,PLHIV,Know status,On ART,Suppressed\n@merge,0,2,0,5\n01,A,10,9,8,7\n'
    snippet semicolon $'\xef\xbb\xbfcode;name;plhiv;on art;vl tested\n12;Phnom Penh;1 234;1\xc2\xa0100;"12,5"\n'
    snippet budget $'Activity,Budget (USD),Spent (USD),Source\nOutreach,1000,800,GF\nTotal,1000,800,\n'
    ;;
  number)
    # Real cell values: the distinct fields of the corpus's CSV files.
    while IFS= read -r -d '' f; do
      tr ',;\t' '\n\n\n' <"$f" | tr -d '"\r' | awk 'length($0) > 0 && length($0) < 40'
    done < <(find "$shared" -type f \( -iname '*.csv' -o -iname '*.tsv' \) -print0 2>/dev/null) \
      | sort -u | awk 'NR <= 400' | nl -ba -w1 -s' ' | while read -r n v; do snippet "cell-$n" "$v"; done
    i=0
    for v in '1,234' '1 234' $'1\xc2\xa0234' '12,345,678.5' '26.920 052' '12,5' '-10' '+7' '0200' \
      $'\xe1\x9f\xa1\xe1\x9f\xa2\xe1\x9f\xa3' 'n/a' '...' '1e5' '1.2.3' '50%' "1'234" $'\xe2\x80\x94' '-0' '.5'; do
      i=$((i + 1)); snippet "typed-$i" "$v"
    done
    ;;
  markdown)
    while IFS= read -r -d '' f; do seed "$f"; done \
      < <(find "$root/data/narratives" "$root/data/pages" "$shared" -type f -iname '*.md' -print0 2>/dev/null)
    snippet front $'+++\ntitle = "Methodology"\naudience = "internal"\n[[action_points]]\naction = "x"\nwho = "y"\nstatus = "open"\n+++\n# Hello\n\n| a | b |\n|---|---|\n| 1 | 2 |\n'
    snippet hostile $'Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> [a](javascript:alert(3)) <a href="data:text/html,x">d</a> ~~s~~\n'
    ;;
esac

echo "seeds in $seeds: $(find "$seeds" -type f | wc -l) files, $(du -sh "$seeds" | cut -f1)" >&2
cd "$root"
exec cargo fuzz run --debug-assertions "$target" "$seeds" -- \
  -max_total_time="$seconds" -rss_limit_mb=2048 -max_len="$max_len" -timeout="$timeout" \
  -print_final_stats=1 "$@"
