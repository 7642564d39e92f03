#!/usr/bin/env bash
# Validates a directory of example payloads (for instance those the GP Connect specification
# publishes) against both profile sets, and prints a Markdown report: per file, the errors and
# warnings under GP Connect 1.2 and under the latest profiles; how many validate clean, in all and
# per folder; and the error classes (same profile element, same message once quoted values, numbers
# and urls are masked), each with how often and in which files it occurs.
#
#   scripts/validate-examples.sh [--binary PATH] DIR
#
# Every *.json and *.xml file under DIR is read. Lines that are only a Jekyll/Liquid tag (the
# specification's pages wrap their examples in `{% highlight json %}` ... `{% endhighlight %}`)
# are dropped first; nothing else is changed, so a payload that is not well-formed is reported
# as such. The binary defaults to target/debug/gpc-assure (built when missing). Needs jq.
set -euo pipefail

BIN=""
if [ "${1:-}" = "--binary" ]; then BIN="${2:?--binary needs a path}"; shift 2; fi
DIR="${1:?usage: scripts/validate-examples.sh [--binary PATH] DIR}"
[ -d "$DIR" ] || { echo "error: $DIR is not a directory" >&2; exit 2; }
command -v jq >/dev/null || { echo "error: jq is needed (apt-get install jq)" >&2; exit 2; }

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "$BIN" ]; then
  BIN="$ROOT/target/debug/gpc-assure"
  [ -x "$BIN" ] || (cd "$ROOT" && cargo build --locked --quiet)
fi
[ -x "$BIN" ] || { echo "error: $BIN is not an executable" >&2; exit 2; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# copies without the template tags, named by their path under DIR
mapfile -t FILES < <(cd "$DIR" && find . -type f \( -name '*.json' -o -name '*.xml' \) | sed 's|^\./||' | LC_ALL=C sort)
[ "${#FILES[@]}" -gt 0 ] || { echo "error: no .json or .xml file under $DIR" >&2; exit 2; }
mkdir -p "$WORK/in"
for f in "${FILES[@]}"; do
  mkdir -p "$WORK/in/$(dirname "$f")"
  grep -Ev '^[[:space:]]*\{%.*%\}[[:space:]]*$' "$DIR/$f" > "$WORK/in/$f" || true
done

for v in 1.2 latest; do
  # exit 1 means "some file has an error": that is what is being measured
  (cd "$WORK/in" && "$BIN" validate --format json --version "$v" "${FILES[@]}") > "$WORK/$v.json" || [ $? -eq 1 ]
done

jq -n -r --slurpfile a "$WORK/1.2.json" --slurpfile b "$WORK/latest.json" '
  def count(s): [.issues[] | select(.severity == s)] | length;
  def cell: "\(count("error")) / \(count("warning"))";
  def folder(f): f | sub("^_includes/"; "") | if test("/") then sub("/[^/]*$"; "") else "(top)" end;
  def mask: gsub("`"; "\u0027") | gsub("https?://[^ ,;)\"'"'"']+"; "URL")
    | gsub("\"[^\"]*\""; "\"…\"") | gsub("'"'"'[^'"'"']*'"'"'"; "'"'"'…'"'"'")
    | gsub("\\{[^}]*\\}?(\\.\\.\\.)?"; "{…}")
    | gsub("\\b[0-9]+\\b"; "N");
  def classes(runs):
    [runs[] | .file as $f | .issues[] | select(.severity == "error")
      | {key: "\(.element // (.location | gsub("\\[[0-9]+\\]"; ""))) | \(.message | mask)", file: $f}]
    | group_by(.key)
    | map({key: .[0].key, n: length, files: ([.[].file] | unique)})
    | sort_by(-.n, .key)
    | .[] | "| \(.n) | \(.files | length) | `\(.key | .[0:260] | gsub("\\|"; "\\|"))` | \(.files | join(", ")) |";
  ($a[0]) as $x | ($b[0]) as $y
  | "| File | GP Connect 1.2: errors / warnings | latest: errors / warnings |",
    "|---|---|---|",
    ( range(0; $x | length) as $i | "| \($x[$i].file) | \($x[$i] | cell) | \($y[$i] | cell) |" ),
    "",
    "Clean (no error): GP Connect 1.2 \([$x[] | select(count("error") == 0)] | length) of \($x | length); latest \([$y[] | select(count("error") == 0)] | length) of \($y | length).",
    "",
    "Clean per folder (files validating with no error, of the files in the folder):",
    "",
    "| Folder | Files | GP Connect 1.2 clean | latest clean |",
    "|---|---|---|---|",
    ( [range(0; $x | length) as $i | {folder: folder($x[$i].file), a: ($x[$i] | count("error") == 0), b: ($y[$i] | count("error") == 0)}]
      | group_by(.folder)[]
      | "| \(.[0].folder) | \(length) | \([.[] | select(.a)] | length) | \([.[] | select(.b)] | length) |" ),
    "",
    "Error classes, GP Connect 1.2 (errors, files, element | message with values masked, files):",
    "",
    "| Errors | Files | Class | In |",
    "|---|---|---|---|",
    classes($x),
    "",
    "Error classes, latest:",
    "",
    "| Errors | Files | Class | In |",
    "|---|---|---|---|",
    classes($y)
'
