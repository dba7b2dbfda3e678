#!/bin/sh
# workerd as `make bench`'s throughput runs start it (Miniflare's MINIFLARE_WORKERD_PATH): its
# standard output, where the Worker's console lines go, appended to the file
# $GROUPGATE_WORKERD_OUTPUT rather than written to a socket the benchmark's own process reads line
# by line. A reader woken for every line costs workerd time a deployed Worker does not spend
# (bench/notes/http.md). The lines are counted after the runs (bench/output.mjs). A workerd started
# without $GROUPGATE_WORKERD_OUTPUT (a stack that names no file; Miniflare starts every workerd of
# the process through this script once one has) keeps its standard output.
if [ -z "${GROUPGATE_WORKERD_OUTPUT:-}" ]; then exec "$GROUPGATE_WORKERD_BIN" "$@"; fi
exec "$GROUPGATE_WORKERD_BIN" "$@" >>"$GROUPGATE_WORKERD_OUTPUT"
