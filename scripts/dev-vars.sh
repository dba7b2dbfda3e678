#!/usr/bin/env bash
# Writes the .dev.vars of `make dev`. Sourced by scripts/dev.sh; run directly by
# tests/e2e/dev-vars.test.mjs:
#   write_dev_vars FILE NAME...
# writes NAME=value for each NAME set in the environment (scripts/dev.sh names every setting).
#
# wrangler reads .dev.vars with its bundled dotenv 16.3.1 `parse` (no $VAR expansion for this file),
# which keeps backslashes and cuts an unquoted value at '#', so each value is quoted, the quote chosen
# so that dotenv gives the value back byte for byte:
#   'value'  when it has no '        (dotenv keeps everything between single quotes as it is)
#   `value`  else when it has no `   (the same between backquotes)
#   "value"  else when it has no ", and no \n or \r (dotenv turns those two into LF and CR there)
# except a value ending in a backslash, which would escape the closing quote: it goes unquoted, and
# must then be printable ASCII without spaces, '#' or quotes.
# A value with a CR (dotenv reads CR and CRLF as LF), that is not valid UTF-8 (wrangler reads the
# file as UTF-8), or that fits none of these cannot be written: write_dev_vars then fails, naming
# the variable but never its value, and leaves FILE as it was.

# dev_vars_quote VALUE: sets REPLY to VALUE quoted for dotenv; or, when it cannot be, to the reason
# (which never quotes VALUE) and fails.
dev_vars_quote() {
  local value=$1
  if [[ $value == *$'\r'* ]]; then
    REPLY='it contains a carriage return, which dotenv reads as a line break'
    return 1
  fi
  if (LC_ALL=C && [[ $value == *[$'\x80'-$'\xff']* ]]) \
    && ! printf '%s' "$value" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
    REPLY='it is not valid UTF-8, and wrangler reads .dev.vars as UTF-8'
    return 1
  fi
  if [[ $value == *'\' ]]; then
    # A backslash just before the closing quote escapes it for dotenv, which then reads on to the next
    # such quote in the file, lines further on; such a value can only go unquoted (dotenv keeps it
    # as it is up to a '#' or the line's end, trimmed), so it must be printable ASCII without spaces.
    if (LC_ALL=C && [[ $value != *[!\!-~]* && $value != *[#\'\"\`]* ]]); then
      REPLY=$value
    else
      REPLY='it ends with a backslash and also has a space, #, quote, control or non-ASCII character, so no dotenv quoting keeps it'
      return 1
    fi
  elif [[ $value != *"'"* ]]; then
    REPLY="'$value'"
  elif [[ $value != *'`'* ]]; then
    REPLY="\`$value\`"
  elif [[ $value != *'"'* && $value != *'\n'* && $value != *'\r'* ]]; then
    REPLY="\"$value\""
  else
    REPLY='it contains both quote characters '"'"' and `, and " or a backslash before n or r, so no dotenv quoting keeps it'
    return 1
  fi
}

write_dev_vars() {
  local file=$1 name text=''
  shift
  for name in "$@"; do
    [ -n "${!name+x}" ] || continue
    if ! dev_vars_quote "${!name}"; then
      echo "error: $name cannot be passed to wrangler dev through .dev.vars unchanged: $REPLY. Change or unset $name." >&2
      return 1
    fi
    text+="$name=$REPLY"$'\n'
  done
  (umask 077 && printf '%s' "$text" > "$file")
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  write_dev_vars "$@"
fi
