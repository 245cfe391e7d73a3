#!/bin/sh
# Every module must export exactly one symbol, its entry function (hidden visibility), and must not need any
# symbol of the host. Usage: check_exports.sh FILE_OR_DIR... (a directory: every *.so in it)
status=0
count=0
for arg in "$@"; do
    if [ -d "$arg" ]; then files=$(ls "$arg"/*.so 2>/dev/null); else files=$arg; fi
    for module in $files; do
        count=$((count + 1))
        exported=$(nm -D --defined-only "$module" | awk '{print $3}' |
                   grep -v -E '^(_init|_fini|__bss_start|_edata|_end)$')
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
done
[ $count -eq 0 ] && { echo "no module found"; exit 1; }
[ $status -eq 0 ] && echo "$count modules export only siphost_module_v1"
exit $status
