#!/bin/sh
# Every module must export exactly one symbol, its entry function (hidden visibility), and must not need any
# symbol of the host. Usage: check_exports.sh MODULE.so...
status=0
for module in "$@"; do
    exported=$(nm -D --defined-only "$module" | awk '{print $3}' | grep -v -E '^(_init|_fini|__bss_start|_edata|_end)$')
    if [ "$exported" != "siphost_module_v1" ]; then
        echo "$module exports: $(echo $exported)"
        status=1
    fi
    undefined=$(nm -D --undefined-only "$module" | awk '{print $2}' | grep -E '^siphost|_ZN7siphost' || true)
    if [ -n "$undefined" ]; then
        echo "$module needs host symbols: $undefined"
        status=1
    fi
done
[ $status -eq 0 ] && echo "$# modules export only siphost_module_v1"
exit $status
