#!/usr/bin/env bash
# The credential store in the Actions cache, encrypted: `store.sh open` after the cache is
# restored, `store.sh seal` before it is saved.
#
# An Actions cache is readable by every workflow run of the repository, pull requests from
# branches included, so the store's refresh token must never be cached in the clear. With
# CTCTFORM_CREDENTIALS_KEY (a repository secret: pull requests from forks do not get it) the
# store is cached as AES-256 ciphertext (openssl, PBKDF2); without it, it is not cached at
# all, and a rotating refresh token must reach the next run another way (long-lived refresh
# tokens, or CTCT_ON_TOKEN_ROTATED: see docs/auth.md).
#
#   CTCTFORM_CREDENTIALS_KEY   the passphrase; empty: nothing is cached
#
# The store is always ~/.config/ctctform/credentials.json, the path run.sh gives ctctform
# and action.yml caches (a CTCT_CREDENTIALS_FILE set in the workflow is not used).
set -uo pipefail

store="$HOME/.config/ctctform/credentials.json"
sealed="$store.enc"
key=${CTCTFORM_CREDENTIALS_KEY:-}
cipher=(-aes-256-cbc -pbkdf2 -iter 200000 -md sha256 -pass env:CTCTFORM_CREDENTIALS_KEY)

case "${1:-}" in
  open)
    [ -f "$sealed" ] || exit 0
    if [ -z "$key" ]; then
      rm -f "$sealed"
      exit 0
    fi
    mkdir -p "$(dirname "$store")"
    if (umask 077 && openssl enc -d "${cipher[@]}" -in "$sealed" -out "$store.tmp" 2>/dev/null); then
      mv "$store.tmp" "$store"
    else
      # Another key, or a damaged file: start from CTCT_REFRESH_TOKEN as on a first run.
      rm -f "$store.tmp"
      echo "::warning::the cached credential store cannot be decrypted with CTCTFORM_CREDENTIALS_KEY; starting without it"
    fi
    rm -f "$sealed"
    ;;
  seal)
    rm -f "$sealed"
    if [ -n "$key" ] && [ -f "$store" ]; then
      if ! (umask 077 && openssl enc -e "${cipher[@]}" -in "$store" -out "$sealed"); then
        rm -f "$sealed"
        echo "::warning::could not encrypt the credential store; it is not cached"
      fi
    fi
    rm -f "$store" # never left for the cache step to pick up in the clear
    ;;
  *)
    echo "usage: store.sh open|seal" >&2
    exit 2
    ;;
esac
