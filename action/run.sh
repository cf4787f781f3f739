#!/usr/bin/env bash
# The GitHub Action's work (action.yml passes its inputs here as environment variables; run it
# locally with the same variables to try it):
#
#   CTCTFORM_PATH     manifest file or directory (default ctctform/)
#   CTCTFORM_FLEET    a fleet file: `--fleet FILE` replaces the path
#   CTCTFORM_MODE     auto (plan on pull requests, apply on pushes to the default branch,
#                     plan otherwise) | plan | apply
#   CTCTFORM_ARGS     extra arguments, split like a shell would (quotes work)
#   CTCTFORM_COMMENT  true: post the plan as one pull-request comment, updated in place
#   CTCTFORM_PR, CTCTFORM_DEFAULT_BRANCH, GITHUB_EVENT_NAME, GITHUB_REF, GITHUB_TOKEN,
#   GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT: from the run
#
# Outputs (GITHUB_OUTPUT): exitcode (ctctform's), has-changes (true|false), comment-url.
# The step fails only when ctctform exits 1: a plan with changes (exit 2) succeeds.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${CTCTFORM_PYTHON:-python3}
summary=${GITHUB_STEP_SUMMARY:-/dev/null}
outputs=${GITHUB_OUTPUT:-/dev/null}

# Where the action keeps them between runs (action.yml): the segment-detail cache, and the
# credential store, whose newest refresh token must outlive this run (cached only encrypted,
# with the credentials-key input: action/store.sh).
export XDG_CACHE_HOME="$HOME/.cache"
export CTCT_CREDENTIALS_FILE="$HOME/.config/ctctform/credentials.json"
(umask 077 && mkdir -p "$XDG_CACHE_HOME" "$(dirname "$CTCT_CREDENTIALS_FILE")")
export CI=${CI:-true}

mode=${CTCTFORM_MODE:-auto}
if [ "$mode" = auto ]; then
  case "${GITHUB_EVENT_NAME:-}" in
    pull_request | pull_request_target) mode=plan ;;
    push)
      if [ -n "${CTCTFORM_DEFAULT_BRANCH:-}" ] &&
        [ "${GITHUB_REF:-}" = "refs/heads/$CTCTFORM_DEFAULT_BRANCH" ]; then
        mode=apply
      else
        mode=plan
      fi
      ;;
    *) mode=plan ;;
  esac
fi
case "$mode" in
  plan | apply) ;;
  *)
    echo "::error::mode must be auto, plan or apply, not '$mode'"
    exit 1
    ;;
esac

if [ -n "${CTCTFORM_FLEET:-}" ]; then
  target=(--fleet "$CTCTFORM_FLEET")
  key="fleet:$CTCTFORM_FLEET"
else
  target=("${CTCTFORM_PATH:-ctctform/}")
  key=${CTCTFORM_PATH:-ctctform/}
fi
work=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ctctform.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
log=$work/output.txt
md=$work/plan.md

# shlex, not word splitting: `--var "brand=Acme Corp"` stays one argument.
if ! "$python" -c '
import shlex, sys
for a in shlex.split(sys.argv[1]):
    sys.stdout.write(a + "\0")
' "${CTCTFORM_ARGS:-}" >"$work/args"; then
  echo "::error::args: cannot split '${CTCTFORM_ARGS:-}' into arguments (an unclosed quote?)"
  exit 1
fi
mapfile -d '' -t extra <"$work/args"

if [ "$mode" = plan ]; then
  cmd=(ctctform plan "${target[@]}" --detailed-exitcode --markdown "$md" "${extra[@]}")
else
  cmd=(ctctform apply "${target[@]}" --auto-approve "${extra[@]}")
fi
echo "$ ${cmd[*]}"
"${cmd[@]}" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
echo "exitcode=$code" >>"$outputs"

# What ctctform said, as a Markdown section (for a failure before any Markdown, and for apply).
output_section() {
  printf '### %s\n\n```text\n' "$1"
  cat "$log"
  printf '```\n'
}

run_url="${GITHUB_SERVER_URL:-https://github.com}/${GITHUB_REPOSITORY:-}/actions/runs/${GITHUB_RUN_ID:-}"
footer="ctctform $mode of <code>$key</code>${CTCTFORM_HEAD_SHA:+ at ${CTCTFORM_HEAD_SHA:0:7}}"
[ -n "${GITHUB_RUN_ID:-}" ] && footer="$footer · <a href=\"$run_url\">workflow run</a>"

if [ "$mode" = plan ]; then
  if [ "$code" = 2 ]; then changes=true; else changes=false; fi
  if [ "$code" != 0 ] && [ "$code" != 2 ]; then
    # The error lines are what a reviewer needs: add them to whatever Markdown there is.
    { [ -s "$md" ] && cat "$md" && echo; output_section "ctctform plan failed (exit $code)"; } >"$work/failed.md"
    mv "$work/failed.md" "$md"
  elif [ ! -s "$md" ]; then
    output_section "ctctform plan" >"$md" # a plan that wrote no Markdown: its text output
  fi
  cat "$md" >>"$summary"
  url=""
  if [ "${CTCTFORM_COMMENT:-true}" = true ] && [ -n "${CTCTFORM_PR:-}" ]; then
    if url=$("$python" "$here/comment.py" --key "$key" --markdown "$md" --footer "$footer"); then
      echo "Plan posted to $url"
    else
      echo "::warning::could not post the plan to the pull request; it is in the job summary"
      url=""
    fi
  fi
  echo "comment-url=$url" >>"$outputs"
else
  # `Plan: ...` means apply had something to do; `No changes.` means it had not. A fleet also
  # creates accounts and sets billing plans, which are no manifest change.
  if grep -qE '^(Plan: |Provisioned client account |Billing plan set to )' "$log"; then
    changes=true
  else
    changes=false
  fi
  output_section "ctctform apply (exit $code)" >>"$summary"
  echo "comment-url=" >>"$outputs"
fi
echo "has-changes=$changes" >>"$outputs"

if [ "$code" = 0 ] || { [ "$mode" = plan ] && [ "$code" = 2 ]; }; then
  exit 0
fi
exit 1
